// The bench IdP: the test suite's real oidc-provider IdP (test/helpers/idp.ts) in a process of its own,
// with many clients so `oidc-many` and `oidc-cold` have distinct credentials, and long-lived tokens so a
// warm cache stays warm for the whole suite. For the resource-server scenarios (`bearer`) it also issues
// one opaque access token (for `oidc-introspect`) and starts a second IdP in this process that issues JWT
// access tokens (the dev IdP's token format is per instance), with one JWT for `oidc-bearer`.
// Run: node bench/procs/idp.ts '<json: { extraSecretClients, extraJwtClients, bearer }>' (started by the suite)

import { startIdp, type TestIdp } from '../../test/helpers/idp.ts'
import { BENCH_CLIENT_SECRET } from '../lib/oidc-setup.ts'
import { serveParent } from '../lib/serve-parent.ts'

const TOKEN_TTL_SECONDS = 24 * 3600

interface IdpArgs { extraSecretClients: number, extraJwtClients: number, bearer?: boolean }

const args = JSON.parse(process.argv[2] ?? '{}') as IdpArgs
const idp = await startIdp({
  clientSecret: BENCH_CLIENT_SECRET,
  accessTokenTtl: TOKEN_TTL_SECONDS,
  extraSecretClients: args.extraSecretClients,
  extraJwtClients: args.extraJwtClients
})
const jwtIdp = args.bearer === true
  ? await startIdp({ clientSecret: BENCH_CLIENT_SECRET, accessTokenTtl: TOKEN_TTL_SECONDS, accessTokenFormat: 'jwt' })
  : null

/** token and introspection requests: what a gateway asked of the IdPs */
const calls = (one: TestIdp | null): number => one === null ? 0 : one.tokenRequests + one.introspectionRequests

serveParent({
  url: idp.url,
  secretClient: idp.clients.secret,
  secretClients: idp.extraClients.secret.map((c) => c.client_id),
  jwtClients: idp.extraClients.jwt.map((c) => c.client_id),
  introspectClient: idp.clients.introspect,
  /** issued before the suite counts IdP calls, so a scenario's count is the gateway's alone */
  opaqueToken: jwtIdp === null ? null : await idp.issueToken(idp.clients.secret),
  jwtUrl: jwtIdp?.url ?? null,
  jwtToken: jwtIdp === null ? null : await jwtIdp.issueToken(jwtIdp.clients.secret, { scope: 'openid api' })
}, {
  /** the private_key_jwt clients fetch the gateway's keys from here */
  jwksUri: async (uri: string) => await idp.setJwtClientJwksUri(uri),
  tokenRequests: () => idp.tokenRequests,
  idpCalls: () => calls(idp) + calls(jwtIdp)
}, async () => {
  await idp.close()
  await jwtIdp?.close()
})
