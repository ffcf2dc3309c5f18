// What every demo runs beside the gateway: the echo upstream and the bundled dev IdP, a client the IdP
// knows (its id, and a secret the caller sends that the gateway swaps for a token), and the DECK_*
// variables the demo's config file reads them from.

import { randomBytes } from 'node:crypto'
import type { Cleanups } from './demo-end.ts'
import { startIdp as startDevIdp, type TestIdp as DevIdp } from './dev-idp.ts'
import { startEchoUpstream, type EchoUpstream } from './echo-upstream.ts'

export interface DemoBackends {
  readonly upstream: EchoUpstream
  readonly idp: DevIdp
  readonly client: { readonly id: string, readonly secret: string }
  /** DECK_UPSTREAM_URL, DECK_ISSUER, DECK_CLIENT_ID, DECK_CLIENT_SECRET, DECK_TOKEN_SALT */
  readonly env: Readonly<Record<string, string>>
}

/** Starts both (each stopped by `cleanups`) and makes a client for this run. */
export async function startDemoBackends (cleanups: Cleanups): Promise<DemoBackends> {
  const upstream = await startEchoUpstream()
  cleanups.push(async () => await upstream.close())
  const idp = await startDevIdp({ accessTokenFormat: 'jwt' })
  cleanups.push(async () => await idp.close())
  const client = { id: idp.clients.jwt.client_id, secret: `demo-${randomBytes(12).toString('base64url')}` }
  const env = {
    DECK_UPSTREAM_URL: upstream.url,
    DECK_ISSUER: idp.issuer,
    DECK_CLIENT_ID: client.id,
    DECK_CLIENT_SECRET: client.secret,
    DECK_TOKEN_SALT: randomBytes(16).toString('hex')
  }
  return { upstream, idp, client, env }
}
