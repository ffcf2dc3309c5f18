// Entities as they may be shown (Admin API output, logs): each plugin's secret config fields, as its schema
// marks them, and the credentials' secrets (key-auth key, basic-auth password, jwt secret: `secret` in
// schema/credentials.ts), and certificates' private keys (key, key_alt), replaced by "<redacted>".

import { pluginSchemas } from '../plugins/schemas.ts'
import type { Entities, Plugin } from './types.ts'
import { redact } from './schema/engine.ts'
import { CREDENTIAL_SCHEMAS, type CredentialKind } from './schema/credentials.ts'
import { certificate } from './schema/certificate.ts'

function redactPlugin (plugin: Plugin): Plugin {
  const info = pluginSchemas.get(plugin.name)
  // a loaded config only holds known plugins; should one slip through, show none of its config
  const config = info === undefined ? {} : redact(info.configSchema, plugin.config) as Record<string, unknown>
  return { ...plugin, config }
}

function redactCredentials<K extends CredentialKind> (kind: K, list: Entities[K]): Entities[K] {
  return list.map((credential) => redact(CREDENTIAL_SCHEMAS[kind], credential)) as unknown as Entities[K]
}

export function redactedEntities (entities: Entities): Entities {
  return {
    ...entities,
    plugins: entities.plugins.map(redactPlugin),
    keyauth_credentials: redactCredentials('keyauth_credentials', entities.keyauth_credentials),
    basicauth_credentials: redactCredentials('basicauth_credentials', entities.basicauth_credentials),
    jwt_secrets: redactCredentials('jwt_secrets', entities.jwt_secrets),
    acls: entities.acls,
    certificates: entities.certificates.map((entity) => redact(certificate, entity)) as Entities['certificates'],
  }
}
