// Kong's jwt plugin config (kong/plugins/jwt/schema.lua): field names, types, defaults, the `between` of
// maximum_expiration and the entity check tying it to claims_to_verify are Kong's.

import type { ConfigIssue } from '../../core/errors.ts'
import type { PluginSchema } from '../types.ts'

/** schema.lua entity_checks: maximum_expiration > 0 needs "exp" in claims_to_verify */
function checkConfig (config: Record<string, unknown>): ConfigIssue[] {
  const maximum = config.maximum_expiration as number
  const claims = config.claims_to_verify as readonly string[] | null
  if (maximum > 0 && (claims === null || !claims.includes('exp'))) {
    return [{ path: 'claims_to_verify', message: "must contain 'exp' when maximum_expiration is greater than 0" }]
  }
  return []
}

export const jwtSchema: PluginSchema = {
  name: 'jwt',
  // schema.lua: consumer = typedefs.no_consumer
  noConsumer: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      /** query arguments a token is looked for under */
      uri_param_names: { type: 'set', default: ['jwt'], elements: { type: 'string' } },
      /** cookies a token is looked for under */
      cookie_names: { type: 'set', default: [], elements: { type: 'string' } },
      /** the claim (then the header member) naming the jwt_secrets key */
      key_claim_name: { type: 'string', default: 'iss' },
      /** the credential's HS secret is base64 (url alphabet, as jwt_parser.lua base64_decode) */
      secret_is_base64: { type: 'boolean', required: true, default: false },
      /** registered claims to check: exp, nbf; none when unset */
      claims_to_verify: { type: 'set', elements: { type: 'string', one_of: ['exp', 'nbf'] } },
      /** consumer id or username to fall back to when authentication fails (logical OR with other auth plugins) */
      anonymous: { type: 'string' },
      /** false: OPTIONS requests pass unauthenticated */
      run_on_preflight: { type: 'boolean', required: true, default: true },
      /** seconds: a token whose exp is further ahead is refused; 0: no limit */
      maximum_expiration: { type: 'number', default: 0, between: [0, 31536000] },
      /** headers a `Bearer <token>` is looked for in */
      header_names: { type: 'set', default: ['authorization'], elements: { type: 'string' } },
      /** WWW-Authenticate: Bearer realm="<realm>" on a 401 */
      realm: { type: 'string' },
    },
    checks: checkConfig,
  },
}
