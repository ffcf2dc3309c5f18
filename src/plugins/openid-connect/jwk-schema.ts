// Kong's jwk record (used by client_jwk): every member Kong's typedef lists, private members secret so
// that Admin output and logs redact them, and a check that each key is usable: a known kty with the
// members that kty needs.

import type { ConfigIssue } from '../../core/errors.ts'
import type { FieldSchema, RecordField } from '../../config/schema/typedefs.ts'

export const JWS_ALGS = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'
] as const

const text: FieldSchema = { type: 'string' }
const secret: FieldSchema = { type: 'string', secret: true }

const MEMBERS_BY_KTY: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  oct: ['k']
}

function checkJwk (jwk: Record<string, unknown>): ConfigIssue[] {
  const kty = jwk.kty
  if (typeof kty !== 'string') return [{ path: 'kty', message: 'required field missing' }]
  const members = MEMBERS_BY_KTY[kty]
  if (members === undefined) return [{ path: 'kty', message: `expected one of: ${Object.keys(MEMBERS_BY_KTY).join(', ')}` }]
  return members
    .filter((member) => typeof jwk[member] !== 'string')
    .map((member) => ({ path: member, message: `a key of kty ${kty} needs '${member}'` }))
}

export const jwkRecord: RecordField = {
  type: 'record',
  fields: {
    issuer: text,
    kty: text,
    use: { type: 'string', one_of: ['sig', 'enc'] },
    key_ops: { type: 'array', elements: text },
    alg: { type: 'string', one_of: JWS_ALGS },
    kid: text,
    x5u: text,
    x5c: { type: 'array', elements: text },
    x5t: text,
    'x5t#S256': text,
    k: secret,
    x: text,
    y: text,
    crv: text,
    n: text,
    e: text,
    d: secret,
    p: secret,
    q: secret,
    dp: secret,
    dq: secret,
    qi: secret,
    oth: secret,
    r: secret,
    t: secret
  },
  checks: checkJwk
}
