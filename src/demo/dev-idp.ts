// A real OpenID Provider for the demo and the tests: oidc-provider 9 in-process, behind our own node:http
// server so `failMode` can break it on purpose (fault drills) before oidc-provider sees the request.
// Clients mirror Kong's Keycloak set-up: confidential clients with a secret and the client credentials
// grant (one per secret auth method, since oidc-provider binds one method to a client), and one client
// that authenticates with private_key_jwt against the gateway's /openid-connect/jwks. Token introspection
// (RFC 7662) and revocation (RFC 7009) are on, with a confidential "resource server" client for a gateway
// that introspects callers' bearer tokens (Kong's `introspection` auth method).

import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
// @ts-expect-error -- oidc-provider ships no type declarations; the few members used are typed below
import Provider from 'oidc-provider'
// @ts-expect-error -- same package, a file it does not declare either (no "exports" map, so it resolves)
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js'

export interface IdpClient { client_id: string, client_secret?: string }

export type IdpFailMode = 'none' | 'status500' | 'garbage' | 'hang' | 'refuse'
export type IdpEndpoint = 'discovery' | 'jwks' | 'token' | 'introspection'

/** What extraTokenClaims is told about a token being issued. */
export interface IdpTokenInfo { readonly clientId: string, readonly scope: string }

/** Claims added to access tokens (the JWT's payload, and what introspection answers for any format). */
export type IdpExtraClaims = Readonly<Record<string, unknown>> | ((token: IdpTokenInfo) => Readonly<Record<string, unknown>> | undefined)

export interface IssueTokenOptions {
  /** space-separated scopes to ask for (none: the client's default) */
  scope?: string
  /** ask for the test resource server (resource indicators, RFC 8707): the token's `aud`; with
   * accessTokenFormat 'jwt' every token is for it anyway */
  resource?: boolean
}

export interface TestIdp {
  readonly url: string
  readonly issuer: string
  readonly port: number
  /** secret: client_secret_basic, secretPost: client_secret_post, secretJwt: client_secret_jwt, jwt: private_key_jwt */
  readonly clients: { secret: IdpClient, secretPost: IdpClient, secretJwt: IdpClient, jwt: IdpClient, introspect: IdpClient }
  /** the clients `extraSecretClients` and `extraJwtClients` asked for ([] by default) */
  readonly extraClients: { secret: readonly IdpClient[], jwt: readonly IdpClient[] }
  /** kid of the key that signs JWT access tokens now */
  readonly signingKid: string
  /** POSTs seen by the token endpoint, whatever their outcome (failModes included, except 'refuse') */
  tokenRequests: number
  /** POSTs seen by the introspection endpoint, counted as tokenRequests */
  introspectionRequests: number
  /** 'status500': 500 with a JSON body; 'garbage': 200 whose body is not JSON; 'hang': never answers;
   * 'refuse': the socket is destroyed before any byte is written (a refused port is what stop() gives) */
  failMode: IdpFailMode
  /** null: failMode applies to every endpoint; otherwise only to this one */
  failOnly: IdpEndpoint | null
  rotateKeys (): Promise<void>
  /** registers (or moves) the private_key_jwt client's jwks_uri, e.g. once the gateway's Admin port is known */
  setJwtClientJwksUri (uri: string): Promise<void>
  /** a client credentials token straight from the token endpoint, for tests that call the gateway with
   * `Authorization: Bearer`: clients.secretPost authenticates with client_secret_post, any other client with
   * a secret with client_secret_basic (so not clients.secretJwt nor clients.jwt) */
  issueToken (client: IdpClient, options?: IssueTokenOptions): Promise<string>
  /** revokes a token (RFC 7009) as clients.introspect; an opaque token only (oidc-provider refuses JWTs) */
  revoke (token: string): Promise<void>
  stop (): Promise<void>
  restart (): Promise<void>
  close (): Promise<void>
}

export interface StartIdpOptions {
  port?: number
  accessTokenFormat?: 'opaque' | 'jwt'
  accessTokenTtl?: number
  jwtClientJwksUri?: string
  clientSecret?: string
  /** keep oidc-provider's own client JWKS cache (refetch at most once a minute); default false: refetch on an unknown kid */
  strictClientKeyCache?: boolean
  /** more client_secret_basic clients like clients.secret (same secret), ids `tollgate-basic-1`..`-N`: many
   * distinct credentials, e.g. for benchmarks */
  extraSecretClients?: number
  /** more private_key_jwt clients like clients.jwt (same jwks_uri, registered once it is set), ids
   * `tollgate-jwt-1`..`-N`; their key sets keep oidc-provider's own cache */
  extraJwtClients?: number
  /** extra claims in access tokens and introspection answers (groups, roles...); oidc-provider's
   * extraTokenClaims hook */
  extraTokenClaims?: IdpExtraClaims
}

/** The slice of oidc-provider's API this file uses. */
interface OidcProvider {
  callback (): (req: IncomingMessage, res: ServerResponse) => void
  use (middleware: (ctx: { path: string, method: string }, next: () => Promise<void>) => Promise<void>): void
  Client: { find (id: string): Promise<{ asymmetricKeyStore: { freshUntil?: number } } | undefined> }
  silent: boolean
}

const RESOURCE = 'urn:tollgate:test-api'
const PATHS: Record<IdpEndpoint, string> = {
  discovery: '/.well-known/openid-configuration', jwks: '/jwks', token: '/token', introspection: '/token/introspection'
}
const REVOCATION_PATH = '/token/revocation'

export async function startIdp (options: StartIdpOptions = {}): Promise<TestIdp> {
  const idp = new OidcTestIdp(options)
  await idp.listen(options.port ?? 0)
  await idp.rotateKeys()
  return idp
}

class OidcTestIdp implements TestIdp {
  url = ''
  issuer = ''
  port = 0
  readonly clients: TestIdp['clients']
  readonly extraClients: TestIdp['extraClients']
  signingKid = ''
  tokenRequests = 0
  introspectionRequests = 0
  failMode: IdpFailMode = 'none'
  failOnly: IdpEndpoint | null = null
  readonly #options: StartIdpOptions
  readonly #server: Server
  readonly #adapter: unknown = createMemoryAdapter()
  #keys: JWK[] = []
  #jwksUri: string | null
  #handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null

  constructor (options: StartIdpOptions) {
    this.#options = options
    this.#jwksUri = options.jwtClientJwksUri ?? null
    const secret = options.clientSecret ?? 'sec+ret/=%'
    this.clients = {
      secret: { client_id: 'tollgate-basic', client_secret: secret },
      secretPost: { client_id: 'tollgate-post', client_secret: secret },
      secretJwt: { client_id: 'tollgate-secret-jwt', client_secret: secret },
      jwt: { client_id: 'tollgate-jwt' },
      introspect: { client_id: 'tollgate-introspect', client_secret: secret }
    }
    this.extraClients = {
      secret: numberedClients(this.clients.secret, options.extraSecretClients),
      jwt: numberedClients(this.clients.jwt, options.extraJwtClients)
    }
    this.#server = createServer((req, res) => this.#onRequest(req, res))
    this.#server.on('connection', (socket: Socket) => {
      if (this.failMode === 'refuse' && this.failOnly === null) socket.destroy()
    })
  }

  async listen (port: number): Promise<void> {
    this.#server.listen(port, '127.0.0.1')
    await once(this.#server, 'listening')
    const address = this.#server.address()
    if (address === null || typeof address === 'string') throw new Error('test IdP has no TCP address')
    this.port = address.port
    this.url = `http://127.0.0.1:${this.port}`
    this.issuer = this.url
  }

  async rotateKeys (): Promise<void> {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true })
    const jwk = { ...(await exportJWK(privateKey)), kid: randomBytes(16).toString('base64url'), alg: 'RS256', use: 'sig' }
    // The old key stays published (as a real IdP does for tokens it already issued); the new one signs.
    this.#keys = [jwk, ...this.#keys].slice(0, 2)
    this.signingKid = jwk.kid
    this.#rebuild()
  }

  async setJwtClientJwksUri (uri: string): Promise<void> {
    this.#jwksUri = uri
    this.#rebuild()
  }

  async issueToken (client: IdpClient, options: IssueTokenOptions = {}): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (options.scope !== undefined) form.set('scope', options.scope)
    if (options.resource === true) form.set('resource', RESOURCE)
    const body = await this.#post(PATHS.token, client, form) as { access_token?: unknown }
    if (typeof body.access_token !== 'string') throw new Error('test IdP answered without an access_token')
    return body.access_token
  }

  async revoke (token: string): Promise<void> {
    await this.#post(REVOCATION_PATH, this.clients.introspect, new URLSearchParams({ token }))
  }

  // A client with a secret authenticates as it is registered: tollgate-post in the form, any other with Basic.
  async #post (path: string, client: IdpClient, form: URLSearchParams): Promise<unknown> {
    if (client.client_secret === undefined) throw new Error(`test IdP: ${client.client_id} has no secret to authenticate with`)
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (client.client_id === this.clients.secretPost.client_id) {
      form.set('client_id', client.client_id)
      form.set('client_secret', client.client_secret)
    } else {
      const pair = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`
    }
    const response = await fetch(`${this.url}${path}`, { method: 'POST', headers, body: form })
    const text = await response.text()
    if (!response.ok) throw new Error(`test IdP ${path} answered ${response.status}: ${text}`)
    return text === '' ? {} : JSON.parse(text)
  }

  async stop (): Promise<void> {
    if (!this.#server.listening) return
    const closed = once(this.#server, 'close')
    this.#server.close()
    this.#server.closeAllConnections()
    await closed
  }

  async restart (): Promise<void> {
    if (this.#server.listening) return
    await this.listen(this.port)
  }

  async close (): Promise<void> {
    await this.stop()
  }

  // oidc-provider reads keys and clients once, at construction: a rotation or a new jwks_uri builds a new
  // Provider over the same adapter, so tokens already issued stay valid.
  #rebuild (): void {
    const provider = new Provider(this.issuer, this.#configuration()) as OidcProvider
    provider.silent = true // Koa would print every error it catches
    if (this.#options.strictClientKeyCache !== true) provider.use(expireClientKeys(provider, this.clients.jwt.client_id))
    this.#handler = provider.callback()
  }

  #configuration (): Record<string, unknown> {
    const ttl = this.#options.accessTokenTtl ?? 60
    const secretClient = (client: IdpClient, method: string): Record<string, unknown> => ({
      ...client, token_endpoint_auth_method: method, grant_types: ['client_credentials'], response_types: [], redirect_uris: []
    })
    const clients = [
      secretClient(this.clients.secret, 'client_secret_basic'),
      secretClient(this.clients.secretPost, 'client_secret_post'),
      secretClient(this.clients.secretJwt, 'client_secret_jwt')
    ]
    for (const client of this.extraClients.secret) clients.push(secretClient(client, 'client_secret_basic'))
    // the resource server: introspects and revokes any client's token; it may also get a token itself
    clients.push(secretClient(this.clients.introspect, 'client_secret_basic'))
    if (this.#jwksUri !== null) {
      for (const client of [this.clients.jwt, ...this.extraClients.jwt]) {
        clients.push({ ...secretClient(client, 'private_key_jwt'), jwks_uri: this.#jwksUri })
      }
    }
    return {
      adapter: this.#adapter,
      clients,
      jwks: { keys: this.#keys },
      scopes: ['openid', 'api'],
      ttl: { ClientCredentials: ttl },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true, allowedPolicy: introspectionAllowed },
        revocation: { enabled: true, allowedPolicy: this.#revocationAllowed },
        resourceIndicators: resourceIndicators(this.#options.accessTokenFormat ?? 'opaque', ttl)
      },
      extraTokenClaims: extraTokenClaims(this.#options.extraTokenClaims),
      fetch: loopbackFetch
    }
  }

  #onRequest (req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0]
    const failing = this.failMode !== 'none' && (this.failOnly === null || PATHS[this.failOnly] === path)
    // A refused request was never seen, whether it came on a new connection or a kept-alive one.
    if (failing && this.failMode === 'refuse') {
      req.socket.destroy()
      return
    }
    if (req.method === 'POST' && path === PATHS.token) this.tokenRequests++
    if (req.method === 'POST' && path === PATHS.introspection) this.introspectionRequests++
    if (failing) {
      failRequest(this.failMode, res)
      return
    }
    this.#handler?.(req, res)
  }

  // a client revokes its own tokens; the resource server anyone's (oidc-provider's default policy refuses
  // another client's token with an error, and logs that the default should be replaced)
  readonly #revocationAllowed = async (_ctx: unknown, client: PolicyClient, token: PolicyToken): Promise<boolean> =>
    token.clientId === client.clientId || client.clientId === this.clients.introspect.client_id
}

interface PolicyClient { readonly clientId: string, readonly clientAuthMethod: string }
interface PolicyToken { readonly clientId: string, readonly scope?: string }

// Any authenticated (confidential) client may introspect any token, as oidc-provider's default does, so
// every dev client can stand in for a resource server; a public client (auth method none) only its own.
// Set explicitly: the default logs that it should be replaced.
async function introspectionAllowed (ctx: { oidc: { client: PolicyClient } }, client: PolicyClient, token: PolicyToken): Promise<boolean> {
  return client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client.clientId
}

function extraTokenClaims (extra: IdpExtraClaims | undefined) {
  return async (_ctx: unknown, token: PolicyToken): Promise<Readonly<Record<string, unknown>> | undefined> => {
    if (extra === undefined) return undefined
    return typeof extra === 'function' ? extra({ clientId: token.clientId, scope: token.scope ?? '' }) : extra
  }
}

function numberedClients (base: IdpClient, count = 0): IdpClient[] {
  return Array.from({ length: count }, (_, i) => ({ ...base, client_id: `${base.client_id}-${i + 1}` }))
}

function failRequest (mode: IdpFailMode, res: ServerResponse): void {
  if (mode === 'status500') {
    res.writeHead(500, { 'content-type': 'application/json' })
    res.end('{"error":"server_error","error_description":"test IdP failMode status500"}')
  } else if (mode === 'garbage') {
    // Claims JSON on purpose: a client must not trust the content type.
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('<html>this is not json</html>')
  }
  // 'hang': nothing is written; the connection stays open until the client gives up or stop() closes it
}

// Resource indicators with a default resource whose accessTokenFormat is 'jwt' is how oidc-provider issues
// JWT access tokens for the client credentials grant; `openid` is in the resource's scope so Kong's default
// `scope=openid` request keeps its scope. With opaque tokens there is no default resource: a token is for
// the resource server (its `aud`) only when the request names it (issueToken's `resource`).
function resourceIndicators (format: 'opaque' | 'jwt', ttl: number): Record<string, unknown> {
  const info = format === 'jwt'
    ? { scope: 'openid api', accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } }
    : { scope: 'openid api', accessTokenFormat: 'opaque', accessTokenTTL: ttl }
  return {
    enabled: true,
    defaultResource: (_ctx: unknown, _client: unknown, requested: string | undefined) => format === 'jwt' ? RESOURCE : requested,
    useGrantedResource: () => true,
    getResourceServerInfo: () => info
  }
}

// Since 9.7 oidc-provider hands its fetch hook a dispatcher that destroys sockets to special-use addresses
// (loopback included); the gateway's jwks_uri is on 127.0.0.1 in tests, so drop that dispatcher.
function loopbackFetch (url: string, options: RequestInit & { dispatcher?: unknown }): Promise<Response> {
  const { dispatcher: _ssrfGuard, ...rest } = options
  return fetch(url, rest)
}

// oidc-provider keeps a client's fetched JWKS fresh for at least 60 s and, while fresh, refuses an assertion
// signed by a kid it has not seen. Marking the key set stale before each token request keeps the known keys
// and makes an unknown kid trigger one refetch, so a gateway key rotation is not refused for a minute.
function expireClientKeys (provider: OidcProvider, clientId: string) {
  return async (ctx: { path: string, method: string }, next: () => Promise<void>): Promise<void> => {
    if (ctx.method === 'POST' && ctx.path === PATHS.token) {
      const client = await provider.Client.find(clientId)
      if (client !== undefined) client.asymmetricKeyStore.freshUntil = 0
    }
    await next()
  }
}
