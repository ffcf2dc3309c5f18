// The bench IdP: the test suite's real oidc-provider IdP (test/helpers/idp.ts) in a process of its own,
// with many clients so `oidc-many` and `oidc-cold` have distinct credentials, and long-lived tokens so a
// warm cache stays warm for the whole suite.
// Run: node bench/procs/idp.ts '<json: { extraSecretClients, extraJwtClients }>' (started by the suite)

import { startIdp } from '../../test/helpers/idp.ts'
import { BENCH_CLIENT_SECRET } from '../lib/oidc-setup.ts'
import { serveParent } from '../lib/serve-parent.ts'

const TOKEN_TTL_SECONDS = 24 * 3600

interface IdpArgs { extraSecretClients: number, extraJwtClients: number }

const args = JSON.parse(process.argv[2] ?? '{}') as IdpArgs
const idp = await startIdp({
  clientSecret: BENCH_CLIENT_SECRET,
  accessTokenTtl: TOKEN_TTL_SECONDS,
  extraSecretClients: args.extraSecretClients,
  extraJwtClients: args.extraJwtClients
})

serveParent({
  url: idp.url,
  secretClient: idp.clients.secret,
  secretClients: idp.extraClients.secret.map((c) => c.client_id),
  jwtClients: idp.extraClients.jwt.map((c) => c.client_id)
}, {
  /** the private_key_jwt clients fetch the gateway's keys from here */
  jwksUri: async (uri: string) => await idp.setJwtClientJwksUri(uri),
  tokenRequests: () => idp.tokenRequests
}, async () => await idp.close())
