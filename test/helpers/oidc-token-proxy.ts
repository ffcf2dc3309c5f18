// A transparent HTTP proxy in front of the test IdP, for the gateway's `token_endpoint`: it records what
// the gateway sends (headers, form body: the client authentication) and what the IdP answers (the access
// tokens), and can slow the answer down or rewrite the access token (a tampered or foreign-signed JWT).
// The Host header is forwarded as the gateway sent it: oidc-provider builds the token endpoint URL it
// expects as a client assertion's `aud` from that header, so assertions aimed at the proxy are accepted.

import { createServer, request } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'

export interface ProxiedTokenRequest {
  readonly headers: IncomingHttpHeaders
  readonly form: URLSearchParams
  readonly status: number
  /** the access token as the IdP issued it (before any rewrite); null when there was none */
  readonly issued: string | null
}

export type TokenRewrite = (accessToken: string) => string | Promise<string>

export interface TokenProxy {
  readonly url: string
  /** `${url}/token`: use it as the plugin's token_endpoint */
  readonly tokenEndpoint: string
  readonly requests: ProxiedTokenRequest[]
  /** milliseconds each token answer is held back (0 by default) */
  delayMs: number
  /** applied to access_token of every successful token answer; null: passed through */
  rewrite: TokenRewrite | null
  close (): Promise<void>
}

export async function startTokenProxy (targetUrl: string): Promise<TokenProxy> {
  const target = new URL(targetUrl)
  const state: Pick<TokenProxy, 'requests' | 'delayMs' | 'rewrite'> = { requests: [], delayMs: 0, rewrite: null }
  const server = createServer((req, res) => {
    forward(state, target, req, res).catch(() => res.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const url = `http://127.0.0.1:${port}`
  return Object.assign(state, {
    url,
    tokenEndpoint: `${url}/token`,
    async close () {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
}

async function forward (proxy: Pick<TokenProxy, 'requests' | 'delayMs' | 'rewrite'>, target: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readAll(req)
  const answer = await new Promise<IncomingMessage>((resolve, reject) => {
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, resolve)
    out.on('error', reject)
    out.end(body)
  })
  let payload = await readAll(answer)
  const isToken = req.method === 'POST' && (req.url ?? '').split('?', 1)[0] === '/token'
  if (isToken) {
    let issued: string | null = null
    if (answer.statusCode === 200) {
      const json = JSON.parse(payload.toString('utf8')) as Record<string, unknown>
      issued = typeof json.access_token === 'string' ? json.access_token : null
      if (issued !== null && proxy.rewrite !== null) {
        json.access_token = await proxy.rewrite(issued)
        payload = Buffer.from(JSON.stringify(json))
      }
    }
    proxy.requests.push({ headers: req.headers, form: new URLSearchParams(body.toString('utf8')), status: answer.statusCode ?? 0, issued })
    if (proxy.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, proxy.delayMs))
  }
  const headers = { ...answer.headers, 'content-length': String(payload.length) }
  delete headers['transfer-encoding']
  res.writeHead(answer.statusCode ?? 502, headers)
  res.end(payload)
}

async function readAll (stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** A rewrite that changes one claim of a JWT and keeps the IdP's signature: it no longer verifies. */
export function tamperClaims (token: string): string {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
  claims.scope = 'openid admin'
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
}

/** A rewrite that re-signs the same claims with a key the IdP never published (an unknown kid). */
export async function foreignSigner (): Promise<TokenRewrite> {
  const { privateKey } = await generateKeyPair('RS256')
  const kid = randomBytes(16).toString('base64url')
  return async (token) => {
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>
    return await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(privateKey)
  }
}
