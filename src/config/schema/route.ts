// The route entity (Kong's kong/db/schema/entities/routes.lua) as Tollgate accepts it: HTTP routing
// fields, snis included; sources and destinations (stream routing) are refused with a clear error.

import { annotations, foreign, httpProtocol, isHostname, name, NOT_BUILT, tags, timestamp, unsupported, uuid } from './typedefs.ts'
import { plugin } from './plugin.ts'
import { headerRegex } from '../../router/header-match.ts'
import { compileRouteRegex } from '../../router/route-regex.ts'
import type { ConfigIssue } from '../../core/errors.ts'
import { isIP } from 'node:net'
import type { FieldSchema, RecordField } from './engine.ts'

function routePath (value: string): string | null {
  if (!value.startsWith('/') && !value.startsWith('~/')) return 'should start with: / (fixed path) or ~/ (regex path)'
  if (value.includes('//')) return 'must not have empty segments'
  if (value.startsWith('~')) return regexIssue(value.slice(1))
  return null
}

/** Kong's regex syntax translated for JavaScript, or Kong's error message naming the construct (route-regex.ts). */
function regexIssue (pattern: string): string | null {
  const compiled = compileRouteRegex(pattern, '', '')
  return typeof compiled === 'string' ? `invalid regex: '${pattern}' (${compiled})` : null
}

const PORT_SUFFIX = /:(\d{1,5})$/

function routeHost (value: string): string | null {
  const stars = value.split('*').length - 1
  if (stars > 1) return 'invalid wildcard: must have at most one wildcard'
  const suffix = PORT_SUFFIX.exec(value)
  const bare = suffix === null || value.endsWith(']') ? value : value.slice(0, suffix.index)
  if (stars === 1 && !bare.startsWith('*.') && !bare.endsWith('.*')) {
    return 'invalid wildcard: must be placed at leftmost or rightmost label'
  }
  if (suffix !== null && Number(suffix[1]) > 65535) return `invalid port number: ${suffix[1]}`
  return isHostname(bare.replace('*', 'wildcard')) ? null : `invalid hostname: ${value}`
}

function headerName (value: string): string | null {
  return value.toLowerCase() === 'host'
    ? "cannot contain 'host' header, which must be specified in the 'hosts' attribute"
    : null
}

/** A `~*` value is a regex, compiled as Kong's router compiles it (header-match.ts headerRegex). */
function headerValue (value: string): string | null {
  if (!value.startsWith('~*')) return null
  const compiled = headerRegex(value)
  return typeof compiled === 'string' ? `invalid regex: '${value.slice(2)}' (${compiled})` : null
}

/**
 * A route `snis` entry: Kong's typedefs.wildcard_host (traditional_compatible and expressions flavors):
 * one `*` as the leftmost or rightmost character, no port, not an IP address.
 */
function routeSni (value: string): string | null {
  const star = value.indexOf('*')
  if (star >= 0) {
    if (star !== 0 && star !== value.length - 1) return 'wildcard must be leftmost or rightmost character'
    if (value.indexOf('*', star + 1) >= 0) return 'only one wildcard must be specified'
  }
  const bare = value.replace('*', 'wildcard')
  if (isIP(bare) !== 0 || bare.startsWith('[')) return 'must not be an IP'
  if (PORT_SUFFIX.test(bare)) return 'must not have a port'
  return isHostname(bare) ? null : `invalid value: ${value}`
}

function isSet (value: unknown): boolean {
  return value !== null && value !== undefined && (Array.isArray(value) ? value.length > 0 : Object.keys(value as object).length > 0)
}

/**
 * Kong's http subschema (kong/db/schema/entities/routes_subschemas.lua): an https route may match on snis
 * alone; and routes.lua's entity check: snis only on a route that serves https.
 */
function routeChecks (route: Record<string, unknown>): ConfigIssue[] {
  const https = (route.protocols as readonly string[]).includes('https')
  if (!https && isSet(route.snis)) {
    return [{ path: 'snis', message: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'" }]
  }
  const fields = https ? ['methods', 'hosts', 'headers', 'paths', 'snis'] : ['methods', 'hosts', 'headers', 'paths']
  if (fields.some((field) => isSet(route[field]))) return []
  const names = fields.map((field) => `'${field}'`).join(', ')
  return [{ path: '', message: `must set one of ${names} when 'protocols' is '${https ? 'https' : 'http'}'` }]
}

export const routeFields: Readonly<Record<string, FieldSchema>> = {
  id: uuid,
  name,
  protocols: {
    type: 'set',
    required: true,
    default: ['http', 'https'],
    len_min: 1,
    elements: { type: 'string', custom: httpProtocol },
  },
  methods: { type: 'set', elements: { type: 'string', match: /^[A-Z]+$/, match_description: 'methods are upper-case' } },
  hosts: { type: 'array', elements: { type: 'string', custom: routeHost } },
  paths: { type: 'array', elements: { type: 'string', custom: routePath } },
  headers: {
    type: 'map',
    keys: { type: 'string', custom: headerName },
    values: { type: 'array', len_min: 1, elements: { type: 'string', custom: headerValue } },
  },
  snis: { type: 'array', elements: { type: 'string', custom: routeSni } },
  sources: unsupported('sources (stream routing) are'),
  destinations: unsupported('destinations (stream routing) are'),
  // fields of Kong's `expressions` router flavor only (kong/db/schema/entities/routes.lua); its dumps write
  // expression null and priority 0 on every route
  expression: unsupported('expression routes (router_flavor = expressions) are'),
  priority: {
    type: 'any',
    custom: (value) => value === 0 ? null : `priority (router_flavor = expressions) is ${NOT_BUILT}`,
  },
  strip_path: { type: 'boolean', required: true, default: true },
  preserve_host: { type: 'boolean', required: true, default: false },
  path_handling: { type: 'string', required: true, default: 'v0', one_of: ['v0', 'v1'] },
  regex_priority: { type: 'integer', required: true, default: 0 },
  https_redirect_status_code: { type: 'integer', required: true, default: 426, one_of: [426, 301, 302, 307, 308] },
  request_buffering: { type: 'boolean', required: true, default: true },
  response_buffering: { type: 'boolean', required: true, default: true },
  tags,
  /** a service name or id, `{name}` or `{id}`; set by nesting under a service instead */
  service: foreign,
  plugins: { type: 'array', elements: plugin },
  created_at: timestamp,
  updated_at: timestamp,
  ...annotations,
}

export const route: RecordField = { type: 'record', fields: routeFields, checks: routeChecks }
