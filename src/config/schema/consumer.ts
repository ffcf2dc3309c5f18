// The consumer entity (Kong's kong/db/schema/entities/consumers.lua), with its credentials nested as decK
// writes them (credentials.ts). Credentials of plugins Tollgate does not have (hmac-auth, oauth2, mtls-auth)
// are refused rather than ignored.

import { atLeastOneOf } from './checks.ts'
import { annotations, tags, timestamp, unsupported, uuid } from './typedefs.ts'
import { plugin } from './plugin.ts'
import { CREDENTIAL_SCHEMAS } from './credentials.ts'
import { groupReference } from './consumer-group.ts'
import type { FieldSchema, RecordField } from './engine.ts'

export const CREDENTIAL_KEYS = [
  'keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'hmacauth_credentials',
  'oauth2_credentials', 'acls', 'mtls_auth_credentials',
] as const

const credentials: Record<string, FieldSchema> = Object.fromEntries(CREDENTIAL_KEYS.map((key) => {
  const schema = (CREDENTIAL_SCHEMAS as Readonly<Record<string, FieldSchema>>)[key]
  return [key, schema === undefined ? unsupported(`consumer credentials (${key}) are`) : { type: 'array', elements: schema }]
}))

export const consumer: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    username: { type: 'string' },
    custom_id: { type: 'string' },
    tags,
    plugins: { type: 'array', elements: plugin },
    /** decK: the consumer groups it is a member of, by id or name */
    groups: { type: 'array', elements: groupReference },
    ...credentials,
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
  checks: atLeastOneOf('username', 'custom_id'),
}
