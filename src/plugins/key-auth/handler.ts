// Kong's key-auth access phase (kong/plugins/key-auth/handler.lua): find the key (do_authentication), look
// it up (one Map lookup in the credential index built at compile), then either identify the consumer
// (set_consumer) or answer 401 with Kong's messages and WWW-Authenticate. With `anonymous` the plugin is in
// Kong's "logical OR" flow: it does nothing when an earlier auth plugin identified a credential, and falls
// back to the anonymous consumer instead of answering 401.
// Everything the config decides (lower-cased names, the WWW-Authenticate header, the anonymous consumer) is
// computed once per instance in createKeyAuth.

import type { CredentialIndex } from '../../config/credential-index.ts'
import type { Consumer, Plugin } from '../../config/types.ts'
import { findAnonymous, useAnonymous } from '../anonymous-consumer.ts'
import { setConsumerHeaders } from '../consumer-headers.ts'
import type { ConfigView, PhaseResult, PluginInstance, ProxyContext } from '../types.ts'
import { accessOnlyInstance } from '../access-only.ts'
import {
  ABSENT, DUPLICATE, FORM, JSON_TYPE, argValue, headerValue, jsonValue, mediaType, parseJsonBody, withoutArg, type Lookup
} from './key-lookup.ts'

export interface KeyAuthConfig {
  readonly key_names: readonly string[]
  readonly hide_credentials: boolean
  readonly anonymous: string | null
  readonly key_in_header: boolean
  readonly key_in_query: boolean
  readonly key_in_body: boolean
  readonly run_on_preflight: boolean
  readonly realm: string | null
}

// handler.lua's messages
const ERR_DUPLICATE_API_KEY = 'Duplicate API key found'
const ERR_NO_API_KEY = 'No API key found in request'
const ERR_INVALID_AUTH_CRED = 'Unauthorized'

interface KeyName {
  /** as configured: query arguments and body fields match it exactly */
  readonly name: string
  /** header lookups: Node's header names are lower-case */
  readonly lower: string
  /** ngx.req.get_headers' retry on a miss: '_' as '-'; null when the name has no '_' */
  readonly dashed: string | null
}

/** A request body, parsed as the config asked (key_in_body): a form's text or a JSON object. */
interface Body {
  readonly form: string | null
  json: Record<string, unknown> | null
}

interface KeyAuthState {
  readonly config: KeyAuthConfig
  readonly names: readonly KeyName[]
  readonly credentials: CredentialIndex
  /** WWW-Authenticate on every 401: `Key realm="<realm>"`, or `Key` without a realm */
  readonly challenge: Readonly<Record<string, string>>
  /** the anonymous consumer, found once per compile; null when not configured or not found */
  readonly anonymous: Consumer | null
}

export function createKeyAuth (plugin: Plugin, priority: number, _services: unknown, view: ConfigView): PluginInstance {
  const config = plugin.config as unknown as KeyAuthConfig
  const state: KeyAuthState = {
    config,
    names: config.key_names.map((name) => {
      const lower = name.toLowerCase()
      return { name, lower, dashed: lower.includes('_') ? lower.replaceAll('_', '-') : null }
    }),
    credentials: view.credentials,
    challenge: Object.freeze({ 'www-authenticate': config.realm === null ? 'Key' : `Key realm="${config.realm}"` }),
    anonymous: findAnonymous(view, config.anonymous),
  }
  return accessOnlyInstance(plugin, priority, (ctx: ProxyContext) => access(state, ctx))
}

function access (state: KeyAuthState, ctx: ProxyContext): PhaseResult {
  const config = state.config
  if (!config.run_on_preflight && ctx.req.method === 'OPTIONS') return
  // logical OR: already authenticated by another plugin
  if (config.anonymous !== null && ctx.credential !== null) return
  if (!config.key_in_body) {
    finish(state, ctx, search(state, ctx, null))
    return
  }
  return withBody(state, ctx)
}

async function withBody (state: KeyAuthState, ctx: ProxyContext): Promise<void> {
  // key_in_body: the config asks for the body, so it is read (and JSON parsed) here
  const raw = await ctx.readBody()
  const type = raw === null ? '' : mediaType(ctx.req.headers['content-type'])
  let body: Body | null = null
  if (type === FORM) body = { form: raw!.toString(), json: null }
  else if (type === JSON_TYPE) body = { form: null, json: parseJsonBody(raw!.toString()) }
  finish(state, ctx, search(state, ctx, body))
}

/** handler.lua's loop over key_names: header, then query, then body; the first string found is the key. */
function search (state: KeyAuthState, ctx: ProxyContext, body: Body | null): Lookup {
  const config = state.config
  const names = state.names
  for (let i = 0; i < names.length; i++) {
    const name = names[i]
    let value: Lookup = ABSENT
    if (config.key_in_header) value = headerValue(ctx.req, name.lower, name.dashed)
    if (value === ABSENT && config.key_in_query) value = argValue(ctx.query, name.name)
    if (value === ABSENT && body !== null) value = body.form !== null ? argValue(body.form, name.name) : jsonValue(body.json, name.name)
    if (typeof value === 'string') {
      if (config.hide_credentials) hide(ctx, name, body)
      return value
    }
    if (value === DUPLICATE) return DUPLICATE
  }
  return ABSENT
}

/** hide_credentials: the argument, the header and the body field of that name, as handler.lua clears them */
function hide (ctx: ProxyContext, name: KeyName, body: Body | null): void {
  if (argValue(ctx.query, name.name) !== ABSENT) ctx.query = withoutArg(ctx.query, name.name)
  delete ctx.upstreamHeaders[name.lower]
  if (name.dashed !== null) delete ctx.upstreamHeaders[name.dashed]
  if (body === null) return
  if (body.form !== null) ctx.replaceBody(Buffer.from(withoutArg(body.form, name.name)))
  else if (body.json !== null && Object.hasOwn(body.json, name.name)) {
    delete body.json[name.name]
    ctx.replaceBody(Buffer.from(JSON.stringify(body.json)))
  }
}

function finish (state: KeyAuthState, ctx: ProxyContext, key: Lookup): void {
  let failure: string | null = null
  if (key === DUPLICATE) failure = ERR_DUPLICATE_API_KEY
  else if (typeof key !== 'string' || key === '') failure = ERR_NO_API_KEY
  else {
    const match = state.credentials.keyAuth(key)
    // load_credential: an expired key (ttl) is no key
    if (match === undefined || (match.expiresAt !== Infinity && Date.now() > match.expiresAt)) failure = ERR_INVALID_AUTH_CRED
    else {
      ctx.authenticate(match.consumer, match.authenticated)
      setConsumerHeaders(ctx.upstreamHeaders, match.consumer, match.credential.id, false)
      return
    }
  }
  if (state.config.anonymous === null) ctx.exit(401, failure, state.challenge)
  // set_anonymous_consumer
  else useAnonymous(ctx, state.config.anonymous, state.anonymous)
}
