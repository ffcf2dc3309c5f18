// The three real components an openid-connect end-to-end test needs, started together and torn down by
// the test: the oidc-provider IdP (test/helpers/idp.ts), the echo upstream, and the gateway CLI with the
// plugin on Kong's how-to service `example-service` / route `/example-route`. Plus the small pieces every
// such test repeats: a caller's Basic header as `curl -u` builds it, waiting for the Admin API to list the
// issuer, bounded polling, and reading what the upstream received from the echo.

import type { Test } from 'tap'
import { send, startGateway } from './gateway.ts'
import type { Reply, RunningGateway, SendOptions } from './gateway.ts'
import { startIdp } from './idp.ts'
import type { IdpClient, StartIdpOptions, TestIdp } from './idp.ts'
import { startUpstream } from './upstream.ts'
import type { TestUpstream } from './upstream.ts'

export const ROUTE = '/example-route'

/** The (Kong how-to's) plugin config: the jwt client's id, private_key_jwt, header credentials only. */
export function howToConfig (idp: TestIdp): Record<string, unknown> {
  return {
    issuer: idp.issuer,
    client_id: [idp.clients.jwt.client_id],
    client_auth: ['private_key_jwt'],
    auth_methods: ['client_credentials'],
    client_credentials_param_type: ['header']
  }
}

/** A service pointing at `upstream` with one route on `path` and the openid-connect plugin on the service. */
export function oidcService (name: string, upstreamUrl: string, path: string, config: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    url: upstreamUrl,
    routes: [{ name: `${name}-route`, paths: [path] }],
    plugins: [{ name: 'openid-connect', config }]
  }
}

/** `Authorization: Basic` as `curl -u id:secret` sends it: the raw pair, base64 (no form-encoding). */
export function basicAuth (clientId: string, clientSecret: string): string {
  return 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')
}

export function clientBasic (client: IdpClient): string {
  return basicAuth(client.client_id, client.client_secret ?? '')
}

export interface OidcStackOptions {
  /** options for a new IdP, or an IdP the test started itself (then the test closes it) */
  readonly idp?: StartIdpOptions | TestIdp
  /** merged over howToConfig(idp) */
  readonly plugin?: Record<string, unknown>
  /** replaces the single example-service (the plugin option is then unused) */
  readonly services?: (idp: TestIdp, upstream: TestUpstream) => Array<Record<string, unknown>>
  /** gateway settings (worker_processes, log_level, ...) */
  readonly settings?: Record<string, unknown>
  /** the config's consumers (with their nested plugins) */
  readonly consumers?: Array<Record<string, unknown>>
  /** wait until Admin lists this many issuers (default 1; 0: do not wait, e.g. with the IdP down) */
  readonly issuers?: number
}

export interface OidcStack {
  readonly idp: TestIdp
  readonly upstream: TestUpstream
  readonly gateway: RunningGateway
  /** one exchange with the proxy (a fresh connection unless an agent is given) */
  proxy (path: string, options?: SendOptions): Promise<Reply>
  admin (path: string, options?: SendOptions): Promise<Reply>
}

export async function startOidcStack (t: Test, options: OidcStackOptions = {}): Promise<OidcStack> {
  const idp = isIdp(options.idp) ? options.idp : await startIdp(options.idp)
  if (!isIdp(options.idp)) t.teardown(() => idp.close())
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const services = options.services?.(idp, upstream) ??
    [oidcService('example-service', upstream.url, ROUTE, { ...howToConfig(idp), ...options.plugin })]
  const config = options.consumers === undefined ? { services } : { services, consumers: options.consumers }
  const gateway = await startGateway(config, { settings: options.settings })
  t.teardown(() => gateway.stop())
  const stack: OidcStack = {
    idp,
    upstream,
    gateway,
    proxy: (path, sendOptions) => send(gateway.proxyUrl + path, sendOptions),
    admin: (path, sendOptions) => send(gateway.adminUrl + path, sendOptions)
  }
  const issuers = options.issuers ?? 1
  if (issuers > 0) await waitForIssuers(stack, issuers)
  return stack
}

function isIdp (value: StartIdpOptions | TestIdp | undefined): value is TestIdp {
  return value !== undefined && 'tokenRequests' in value
}

export interface IssuerListing {
  data: Array<{ id: string, issuer: string, configuration: Record<string, unknown>, keys: Array<Record<string, unknown>>, created_at: number }>
  next: null
}

/** Polls Admin GET /openid-connect/issuers until it lists `count` issuers (discovery runs in the background). */
export async function waitForIssuers (stack: Pick<OidcStack, 'admin'>, count = 1): Promise<IssuerListing> {
  return await until(`Admin to list ${count} discovered issuer(s)`, async () => {
    const reply = await stack.admin('/openid-connect/issuers')
    const listing = reply.status === 200 ? reply.json<IssuerListing>() : null
    return listing !== null && listing.data.length >= count ? listing : null
  })
}

export interface UntilOptions {
  readonly timeoutMs?: number
  readonly intervalMs?: number
}

/** Calls `probe` until it returns something other than null/undefined/false, at most `timeoutMs` (10 s). */
export async function until<T> (what: string, probe: () => Promise<T | null | undefined | false>,
  options: UntilOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  const interval = options.intervalMs ?? 25
  for (;;) {
    const value = await probe()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`)
    await delay(interval)
  }
}

export function delay (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export interface Echo {
  method: string
  url: string
  headers: Record<string, string | undefined>
  bodyBytes: number
}

/** What the echo upstream received, from the proxied reply's body. */
export function echoed (reply: Reply): Echo {
  return reply.json<Echo>()
}

/** The access token the upstream received in `Authorization: Bearer`, or null. */
export function upstreamBearer (reply: Reply): string | null {
  const authorization = echoed(reply).headers.authorization
  return authorization?.startsWith('Bearer ') === true ? authorization.slice(7) : null
}

/** The claims of a JWT (no verification: the test only reads what the gateway forwarded). */
export function jwtClaims (token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
}

export function jwtHeader (token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'))
}

/** The exact 401 Kong answers for the client credentials grant (Kong's openid-connect responses.lua), asserted in full. */
export function assertKongUnauthorized (t: Test, reply: Reply, label: string): void {
  t.equal(reply.status, 401, `${label}: 401`)
  t.equal(reply.headers['www-authenticate'], 'Bearer realm="127.0.0.1", error="invalid_token"', `${label}: Bearer challenge`)
  t.match(reply.headers['content-type'], /^application\/json/, `${label}: JSON body`)
  t.equal(reply.json().message, 'Unauthorized', `${label}: Kong's message`)
  t.match(reply.headers['x-kong-response-latency'], /^\d+$/, `${label}: X-Kong-Response-Latency`)
  t.equal(reply.headers['x-kong-proxy-latency'], undefined, `${label}: no X-Kong-Proxy-Latency (not proxied)`)
}
