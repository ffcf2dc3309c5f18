// Kong's basic-auth access phase (kong/plugins/basic-auth/access.lua execute → do_authentication): the
// credentials of Proxy-Authorization, then (when those name no known username) of Authorization, the
// credential found by username (one Map lookup in the credential index built at compile), the password
// checked against its stored hash (validate_credentials), then set_consumer, or 401 "Unauthorized" with
// `WWW-Authenticate: Basic realm="<realm>"`. With `anonymous` the plugin is in Kong's "logical OR" flow:
// it does nothing when an earlier auth plugin identified a credential, and falls back to the anonymous
// consumer instead of answering 401.
// The WWW-Authenticate header and the anonymous consumer are computed once per instance in createBasicAuth.
//
// Checking a password hashes it (crypto.lua: sha1 of the password and the consumer id), which cannot be
// done at load: it is the one piece of crypto on this path. A per-worker memo of the header values that
// were accepted (bounded in bytes; a refusal is never remembered, so bad guesses add nothing) skips the
// parse and the hash for a header already accepted; credentials only change with a reload, which builds
// a new instance and so a new memo.

import { createHash, timingSafeEqual } from 'node:crypto'
import type { CredentialIndex, CredentialMatch } from '../../config/credential-index.ts'
import type { BasicAuthCredential, Consumer, Plugin } from '../../config/types.ts'
import { findAnonymous, useAnonymous } from '../anonymous-consumer.ts'
import { setConsumerHeaders } from '../consumer-headers.ts'
import { BoundedMemo } from '../bounded-memo.ts'
import type { ConfigView, PluginInstance, ProxyContext } from '../types.ts'
import { parseBasic } from './basic-header.ts'
import { accessOnlyInstance } from '../access-only.ts'

export interface BasicAuthConfig {
  readonly anonymous: string | null
  readonly hide_credentials: boolean
  readonly realm: string
}

type Match = CredentialMatch<BasicAuthCredential>

/** the header names no known username (or carries none): do_authentication tries the next header */
const UNKNOWN = 0
/** the username is known and the password is wrong: 401, the next header is not tried */
const WRONG = 1

interface BasicAuthState {
  readonly config: BasicAuthConfig
  readonly credentials: CredentialIndex
  /** WWW-Authenticate on every 401 */
  readonly challenge: Readonly<Record<string, string>>
  /** the anonymous consumer, found once per compile; null when not configured or not found */
  readonly anonymous: Consumer | null
  /** accepted header values → their credential, in this worker */
  readonly accepted: BoundedMemo<Match>
}

export function createBasicAuth (plugin: Plugin, priority: number, _services: unknown, view: ConfigView): PluginInstance {
  const config = plugin.config as unknown as BasicAuthConfig
  const state: BasicAuthState = {
    config,
    credentials: view.credentials,
    challenge: Object.freeze({ 'www-authenticate': `Basic realm="${config.realm}"` }),
    anonymous: findAnonymous(view, config.anonymous),
    // the match is the index's own object: only the key costs memory
    accepted: new BoundedMemo<Match>({ sizeOf: zero }),
  }
  return accessOnlyInstance(plugin, priority, (ctx: ProxyContext) => access(state, ctx), () => state.accepted.clear())
}

function access (state: BasicAuthState, ctx: ProxyContext): void {
  const config = state.config
  // logical OR: already authenticated by another plugin
  if (config.anonymous !== null && ctx.credential !== null) return
  const match = authenticate(state, ctx)
  if (match !== null) {
    ctx.authenticate(match.consumer, match.authenticated)
    // set_consumer: X-Credential-Identifier is the credential's username
    setConsumerHeaders(ctx.upstreamHeaders, match.consumer, match.credential.username, false)
  } else if (config.anonymous === null) ctx.exit(401, 'Unauthorized', state.challenge)
  else useAnonymous(ctx, config.anonymous, state.anonymous)
}

/** do_authentication: the credential the request proves, or null. */
function authenticate (state: BasicAuthState, ctx: ProxyContext): Match | null {
  const headers = ctx.req.headers
  const proxy = headers['proxy-authorization']
  const authorization = headers.authorization
  if (proxy === undefined && authorization === undefined) return null
  let result = check(state, proxy)
  // retrieve_credentials clears the header it was called for, whatever it held
  if (state.config.hide_credentials) delete ctx.upstreamHeaders['proxy-authorization']
  if (result !== UNKNOWN) return result === WRONG ? null : result
  result = check(state, authorization)
  if (state.config.hide_credentials) delete ctx.upstreamHeaders.authorization
  return typeof result === 'object' ? result : null
}

/** One header: its credential when the password is right, WRONG when not, UNKNOWN when no known username. */
function check (state: BasicAuthState, header: string | undefined): Match | typeof UNKNOWN | typeof WRONG {
  if (header === undefined) return UNKNOWN
  const known = state.accepted.get(header)
  if (known !== undefined) return known
  const given = parseBasic(header)
  if (given === null) return UNKNOWN
  const match = state.credentials.basicAuth(given.username)
  if (match === undefined) return UNKNOWN
  if (!validPassword(match, given.password)) return WRONG
  state.accepted.remember(header, match)
  return match
}

/** validate_credentials: the stored hash against crypto.lua's hash of the given password, in constant time. */
export function validPassword (match: Match, password: Buffer): boolean {
  const digest = Buffer.from(createHash('sha1').update(password).update(match.consumer.id).digest('hex'), 'latin1')
  const stored = Buffer.from(match.credential.password, 'latin1')
  return stored.length === digest.length && timingSafeEqual(stored, digest)
}

function zero (): number {
  return 0
}
