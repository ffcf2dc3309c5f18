// An explicit `null` on a field that has a default (issue: `timeout: null` made every IdP call time out at
// once). The schema objects themselves are walked, so a field added later is covered without editing this
// file: a field that is not required gets its default, a required one is "required field missing" (as
// Kong's Schema:validate says), and nowhere does null reach the loaded config.

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { document } from '../../../src/config/schema/document.ts'
import { validate, type FieldSchema, type RecordField } from '../../../src/config/schema/engine.ts'
import { parseSettings, SETTING_NAMES } from '../../../src/config/settings.ts'
import type { ConfigIssue } from '../../../src/core/errors.ts'
import { pluginSchemas } from '../../../src/plugins/schemas.ts'
import { SOURCE, doc } from './issues.ts'

interface Defaulted {
  /** where it was found, for messages: "services[].retries", "openid-connect.timeout" */
  readonly name: string
  readonly record: RecordField
  readonly field: string
  readonly schema: FieldSchema
}

/** Every field with a default in every record reachable from `schema` (records, elements, map values). */
function defaultedFields (schema: FieldSchema, name: string, seen: Set<FieldSchema>, out: Defaulted[]): Defaulted[] {
  if (seen.has(schema)) return out
  seen.add(schema)
  if (schema.type === 'record') {
    for (const [field, sub] of Object.entries(schema.fields)) {
      if (sub.default !== undefined) out.push({ name: `${name}.${field}`, record: schema, field, schema: sub })
      defaultedFields(sub, `${name}.${field}`, seen, out)
    }
  } else if (schema.type === 'array' || schema.type === 'set') {
    defaultedFields(schema.elements, `${name}[]`, seen, out)
  } else if (schema.type === 'map') {
    defaultedFields(schema.values, `${name}{}`, seen, out)
  }
  return out
}

const seen = new Set<FieldSchema>()
const fields = defaultedFields(document, 'document', seen, [])
for (const [plugin, info] of pluginSchemas) defaultedFields(info.configSchema, plugin, seen, fields)

t.test('the walk reaches entity and plugin fields', async (t) => {
  const names = fields.map((f) => f.name)
  for (const expected of [
    'document.services[].retries', 'document.services[].read_timeout', 'document.services[].enabled',
    'document.services[].routes[].strip_path', 'document.services[].routes[].plugins[].protocols', 'openid-connect.timeout',
    'openid-connect.cache_ttl', 'openid-connect.scopes', 'request-termination.status_code',
  ]) t.ok(names.includes(expected), expected)
})

function at (issues: readonly ConfigIssue[], path: string): ConfigIssue[] {
  return issues.filter((issue) => issue.path === path)
}

t.test('every field with a default: null gives the default, or "required field missing" when required', async (t) => {
  for (const { name, record, field, schema } of fields) {
    const result = validate(record, { [field]: null }, '')
    const issues = at(result.issues, field)
    if (schema.required === true) {
      t.strictSame(issues, [{ path: field, message: 'required field missing' }], `${name} (required)`)
    } else {
      t.strictSame(issues, [], `${name}: no issue`)
      t.strictSame((result.value as Record<string, unknown>)[field], schema.default, `${name}: the default`)
    }
  }
})

t.test('loaded end to end: null service timeouts and openid-connect timeout become their defaults', async (t) => {
  const config = loadConfigObject(doc({
    services: [{ name: 's', host: 'h', retries: null, connect_timeout: null, write_timeout: null, read_timeout: null }],
    routes: [{ name: 'r', service: 's', paths: ['/'], regex_priority: 0 }],
    plugins: [{
      name: 'openid-connect',
      route: 'r',
      config: { issuer: 'https://idp.example.com', auth_methods: ['client_credentials'], timeout: null, cache_ttl: null, leeway: null, scopes: null }
    }],
  }), SOURCE, {})
  const service = config.entities.services[0]
  t.strictSame([service.retries, service.connect_timeout, service.write_timeout, service.read_timeout], [5, 60000, 60000, 60000])
  const oidc = config.entities.plugins[0].config
  t.strictSame([oidc.timeout, oidc.cache_ttl, oidc.leeway, oidc.scopes], [10000, 3600, 0, ['openid']])
})

t.test('every setting: null is the default', async (t) => {
  const defaults = parseSettings({}, [])
  for (const name of SETTING_NAMES) {
    const issues: ConfigIssue[] = []
    const value = parseSettings({ [name]: null }, issues)
    t.strictSame(issues, [], `${name}: no issue`)
    t.strictSame(value[name as keyof typeof value], defaults[name as keyof typeof defaults], `${name}: the default`)
  }
})
