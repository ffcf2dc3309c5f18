// The consumer credentials of Kong's auth plugins, as DB-less loads them: each plugin's daos.lua schema
// (kong/plugins/key-auth/daos.lua keyauth_credentials, basic-auth/daos.lua basicauth_credentials,
// jwt/daos.lua jwt_secrets, acl/daos.lua acls), nested under a consumer or top-level with a `consumer`
// reference. `consumer` must not be set when nested (flatten.ts) and is required at the top level
// (resolve-credentials.ts). Secrets (key, password, jwt secret) are `secret`: redacted in Admin output.
//
// Differences from Kong, on purpose: key-auth `key` and jwt `key` are required (Kong generates a random one
// when absent; in DB-less a random key changes at every reload and could not be read back, as the Admin API
// redacts it), and a jwt `secret` is required for the HS algorithms (Kong generates one).

import { createPublicKey } from 'node:crypto'
import type { ConfigIssue } from '../../core/errors.ts'
import type { FieldSchema, RecordField } from './engine.ts'
import { annotations, foreignProblem, tags, timestamp, uuid } from './typedefs.ts'

/** A credential's `consumer`: "username-or-id", {id}, or {username} (decK's form) as well as {name}. */
export function consumerRef (value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const keys = Object.keys(value)
  const username = (value as Record<string, unknown>).username
  return keys.length === 1 && keys[0] === 'username' ? { name: username } : value
}

const consumer: FieldSchema = { type: 'any', custom: (value) => foreignProblem(consumerRef(value)) === null ? null : 'expected a username or id string, or an object with an id or a username' }

const common: Readonly<Record<string, FieldSchema>> = {
  id: uuid,
  created_at: timestamp,
  // required at the top level, checked where the nesting is known (resolve-credentials.ts)
  consumer,
  tags,
  ...annotations,
}

const REQUIRED_HERE = 'required field missing (Tollgate does not generate it: a DB-less key would change at every load)'

function requiredHere (field: string): (value: Record<string, unknown>) => ConfigIssue[] {
  return (value: Record<string, unknown>): ConfigIssue[] => value[field] === null ? [{ path: field, message: REQUIRED_HERE }] : []
}

export const keyAuthCredential: RecordField = {
  type: 'record',
  fields: {
    ...common,
    key: { type: 'string', secret: true },
    /** seconds after load the credential stops working (Kong's ttl = true DAO option) */
    ttl: { type: 'integer', between: [0, 100000000] },
  },
  checks: requiredHere('key'),
}

export const basicAuthCredential: RecordField = {
  type: 'record',
  fields: {
    ...common,
    username: { type: 'string', required: true },
    password: { type: 'string', required: true, secret: true },
  },
}

/** jwt/daos.lua: the algorithms whose rsa_public_key is required and must parse (ES* are not in Kong's list) */
const NEEDS_PUBLIC_KEY = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'])
const HMAC = new Set(['HS256', 'HS384', 'HS512'])

function validKey (pem: string): boolean {
  try {
    createPublicKey(pem)
    return true
  } catch {
    return false
  }
}

/** jwt/daos.lua entity_checks (conditional: algorithm → rsa_public_key required, validate_ssl_key "invalid key") */
function checkJwt (value: Record<string, unknown>): ConfigIssue[] {
  const issues = requiredHere('key')(value)
  const algorithm = value.algorithm as string
  if (NEEDS_PUBLIC_KEY.has(algorithm)) {
    if (value.rsa_public_key === null) issues.push({ path: 'rsa_public_key', message: 'required field missing' })
    else if (!validKey(value.rsa_public_key as string)) issues.push({ path: 'rsa_public_key', message: 'invalid key' })
  }
  if (HMAC.has(algorithm) && value.secret === null) issues.push({ path: 'secret', message: REQUIRED_HERE })
  return issues
}

export const jwtSecret: RecordField = {
  type: 'record',
  fields: {
    ...common,
    key: { type: 'string' },
    secret: { type: 'string', secret: true },
    rsa_public_key: { type: 'string' },
    algorithm: {
      type: 'string',
      default: 'HS256',
      one_of: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'],
    },
  },
  checks: checkJwt,
}

export const acl: RecordField = {
  type: 'record',
  fields: {
    ...common,
    group: { type: 'string', required: true },
  },
}

/** Entity name (Kong's DAO name, the declarative key) → its schema. */
export const CREDENTIAL_SCHEMAS = {
  keyauth_credentials: keyAuthCredential,
  basicauth_credentials: basicAuthCredential,
  jwt_secrets: jwtSecret,
  acls: acl,
} as const

export type CredentialKind = keyof typeof CREDENTIAL_SCHEMAS
export const CREDENTIAL_KINDS = Object.keys(CREDENTIAL_SCHEMAS) as CredentialKind[]
