// Kong's jwt plugin (kong/plugins/jwt/): identifies the consumer by a JWS-signed token (a JWT) found in a
// query argument, a cookie or a `Bearer` header, whose key claim (iss by default) names a jwt_secrets
// credential holding the HMAC secret or public key it must be signed with.
//   schema.ts        config schema (config load, main thread and Admin API)
//   token-lookup.ts  where a token is found in a request (pure, proxy workers)
//   token-parser.ts  a token's segments, JSON and registered claims (pure, proxy workers)
//   credential-key.ts  a credential's KeyObject for its algorithm (proxy workers, once per credential per compile)
//   handler.ts       the access phase (proxy workers)
// Signatures are checked by ../jws-verify.ts; verified tokens are remembered per worker in ../bounded-memo.ts.
// The credentials are entities (src/config/schema/credentials.ts), indexed per compile (config/credential-index.ts).

import type { PluginDescriptor } from '../types.ts'
import { jwtSchema } from './schema.ts'

export const jwt: PluginDescriptor = {
  name: 'jwt',
  // kong/plugins/jwt/handler.lua: PRIORITY = 1450
  PRIORITY: 1450,
  VERSION: '3.9.0',
  schema: jwtSchema,
  handler: async () => (await import('./handler.ts')).createJwt,
  mainService: null,
  workerService: null
}
