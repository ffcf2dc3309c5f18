// Field types shared by the entity schemas, after Kong's kong/db/schema/typedefs.lua (uuid, utf8_name,
// tags, host, port, path, protocols, timeouts, foreign references), with Kong's messages.

import { isIP } from 'node:net'
import type { AnyField, FieldSchema, NumberField, StringField } from './engine.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid (value: string): boolean {
  return UUID.test(value)
}

export const uuid: StringField = { type: 'string', custom: (value) => isUuid(value) ? null : 'expected a valid UUID' }

// Kong's utf8_name: any non-ascii character, and among ascii only these.
const NAME = /^(?:[A-Za-z0-9._~-]|\P{ASCII})+$/u

export const name: StringField = {
  type: 'string',
  custom: (value) => NAME.test(value)
    ? null
    : `invalid value '${value}': the only accepted ascii characters are alphanumerics or ., -, _, and ~`,
}

// Kong's tag rule: printable ascii except ',' and '/', or any non-ascii character.
const TAG = /^(?:[!-+\-.0-~]|\P{ASCII})+$/u

export const tags: FieldSchema = {
  type: 'set',
  elements: {
    type: 'string',
    custom: (value) => TAG.test(value)
      ? null
      : `invalid tag '${value}': expected printable ascii (except \`,\` and \`/\`) or valid utf-8 sequences`,
  },
}

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/

/** A DNS name (underscores allowed, as Kong does for container names) or an IP address. */
export function isHostname (value: string): boolean {
  if (isIP(value) !== 0) return true
  if (value.startsWith('[') && value.endsWith(']')) return isIP(value.slice(1, -1)) === 6
  if (value.length > 253) return false
  const labels = value.endsWith('.') ? value.slice(0, -1).split('.') : value.split('.')
  return labels.every((label) => LABEL.test(label))
}

export const host: StringField = {
  type: 'string',
  custom: (value) => isHostname(value) ? null : `invalid hostname: ${value}`,
}

export const port: NumberField = { type: 'integer', between: [0, 65535] }

export const timeout: NumberField = { type: 'integer', default: 60000, between: [1, 2147483646] }

export const timestamp: NumberField = { type: 'integer', between: [0, 2 ** 53 - 1] }

/** Kong's own protocols that Tollgate does not serve: an error that says so rather than "expected one of". */
const OTHER_PROTOCOLS = new Set(['grpc', 'grpcs', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'])

export function httpProtocol (value: string): string | null {
  if (value === 'http' || value === 'https') return null
  if (OTHER_PROTOCOLS.has(value)) return `protocol '${value}' is not supported by Tollgate yet (only http and https are)`
  return 'expected one of: http, https'
}

/** A plugin's protocols (Kong's default for most plugins); grpc is accepted as Kong lists it, and never matches. */
export const pluginProtocols: FieldSchema = {
  type: 'set',
  default: ['grpc', 'grpcs', 'http', 'https'],
  required: true,
  len_min: 1,
  elements: { type: 'string', one_of: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] },
}

export interface ForeignRef { readonly id?: string, readonly name?: string }

/** Why `value` is not a reference, or null when it is one. */
export function foreignProblem (value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? 'length must be at least 1' : null
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a name or id string, or an object with an id or a name'
  }
  const keys = Object.keys(value)
  const record = value as Record<string, unknown>
  if (keys.length !== 1 || (keys[0] !== 'id' && keys[0] !== 'name') || typeof record[keys[0]] !== 'string') {
    return 'expected an object with exactly one of id or name, a string'
  }
  return null
}

/** A reference to another entity: `"name-or-id"`, `{ "name": ... }` or `{ "id": ... }` (DB-less and decK forms). */
export const foreign: AnyField = { type: 'any', custom: foreignProblem }

function isEmpty (value: unknown): boolean {
  return value === null || (Array.isArray(value) && value.length === 0)
}

/** The words every "Kong has it, Tollgate does not" error carries; load.ts names each such feature once per file. */
export const NOT_BUILT = 'not supported by Tollgate yet'

/** A Kong field Tollgate does not implement: accepted when empty, otherwise an error naming what is missing. */
export function unsupported (what: string): AnyField {
  return { type: 'any', custom: (value) => isEmpty(value) ? null : `${what} ${NOT_BUILT}` }
}

/** Kong accepts these on every entity of a declarative file and ignores them. */
export const annotations: Readonly<Record<string, FieldSchema>> = {
  _comment: { type: 'string' },
  _ignore: { type: 'array', elements: { type: 'any' } },
}

// Kong's typedefs.path validate_path: RFC 3986 path characters, and every '%' starting an escape.
const PATH_CHARS = /^\/[\w.\-~/%:@!$&'()*+,;=]*$/
const BAD_ESCAPE = /%.{0,2}/

function kongPath (value: string): string | null {
  if (!value.startsWith('/')) return 'should start with: /'
  if (value.includes('//')) return 'must not have empty segments'
  if (!PATH_CHARS.test(value)) return `invalid path: '${value}' (characters outside of the reserved list of RFC 3986 found)`
  const unescaped = value.replaceAll(/%[0-9A-Fa-f]{2}/g, '___')
  return unescaped.includes('%') ? `invalid url-encoded value: '${BAD_ESCAPE.exec(unescaped)![0]}'` : null
}

/** Kong's typedefs.path (an upstream's hash_on_cookie_path, an active health check's http_path). */
export const path: StringField = { type: 'string', custom: kongPath }

const HEADER_NAME = /^[A-Za-z0-9_-]+$/

/** Kong's typedefs.header_name (kong/tools/http.lua validate_header_name): the characters nginx allows. */
export const headerName: StringField = {
  type: 'string',
  custom: (value) => HEADER_NAME.test(value) ? null : `bad header name '${value}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`,
}

// kong/tools/http.lua HTTP_TOKEN_FORBID_PATTERN: controls, bytes over 0x7f, separators; the characters a
// token may hold are listed instead (RFC 9110 tchar is exactly what that pattern leaves)
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Kong's typedefs.cookie_name (validate_http_token). */
export const cookieName: StringField = {
  type: 'string',
  custom: (value) => !TOKEN.test(value)
    ? 'contains one or more invalid characters. ASCII control characters (0-31;127), space, tab and the characters ()<>@,;:\\"/?={}[] are not allowed.'
    : null,
}
