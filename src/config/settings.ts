// The kong.conf-style settings at the top level of config.json. Each setting's default sits beside its
// parser, written in kong.conf form and parsed like any input, so the documented default and the real
// one cannot drift. Numbers may also be given as numeric strings (kong.conf values are text, and decK's
// env substitution produces text).

import { availableParallelism } from 'node:os'
import { isIP } from 'node:net'
import type { ConfigIssue } from '../core/errors.ts'
import type { Settings } from './types.ts'
import { listEntries, parseListen } from './listen.ts'
import { isHostname } from './schema/typedefs.ts'
import { joinPath, validate, type NumberField } from './schema/engine.ts'
import { ROUTER_FLAVORS } from '../router/flavor.ts'
import { parseDnsOrder, parseDnsResolver, parseHostsFilePath } from '../dns/settings.ts'
import { SSL_SETTINGS, checkCertificatePairs } from './ssl-settings.ts'

type Parse = (input: unknown, path: string, issues: ConfigIssue[]) => unknown

interface SettingDef {
  readonly default: unknown
  readonly parse: Parse
}

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$/

function number (schema: NumberField): Parse {
  return (input, path, issues) => {
    const value = typeof input === 'string' && NUMERIC.test(input) ? Number(input) : input
    const result = validate({ ...schema, required: true }, value, path)
    issues.push(...result.issues)
    return result.value
  }
}

/** seconds, fractions allowed; the cap keeps them within what Node timers can hold */
const seconds = number({ type: 'number', between: [0, 2147483] })
const positiveSeconds = number({ type: 'number', between: [0, 2147483], gt: 0 })

function integer (min: number): Parse {
  return number({ type: 'integer', gt: min - 1 })
}

const SIZE = /^\s*(\d+)\s*([kmg]?)\s*$/i
const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** bytes, as a number or in nginx's size form ("512k", "10m", "1g") */
function size (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const match = typeof input === 'string' ? SIZE.exec(input) : null
  if (match !== null) return Number(match[1]) * UNITS[match[2].toLowerCase()]
  if (typeof input === 'string') {
    issues.push({ path, message: 'expected a size in bytes, optionally with a k, m or g suffix' })
    return null
  }
  return integer(0)(input, path, issues)
}

function positiveSize (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const value = size(input, path, issues)
  if (value === 0) issues.push({ path, message: 'expected a size of at least 1 byte' })
  return value
}

/** "auto" (resolved here) or an integer ≥ 1 */
function countOrAuto (auto: () => number): Parse {
  return (input, path, issues) => input === 'auto' ? auto() : integer(1)(input, path, issues)
}

function oneOf (values: readonly string[]): Parse {
  return (input, path, issues) => {
    if (typeof input === 'string' && values.includes(input)) return input
    issues.push({ path, message: `expected one of: ${values.join(', ')}` })
    return null
  }
}

/** kong.conf's booleans: on/off, or a JSON boolean */
function onOff (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (input === 'on' || input === true) return true
  if (input === 'off' || input === false) return false
  issues.push({ path, message: 'expected one of: on, off' })
  return null
}

/** A comma-separated (or array) list of case-insensitive tokens; "off" alone gives []. */
function tokens (valid: readonly string[]): Parse {
  return (input, path, issues) => {
    const entries = listEntries(input, path, issues) ?? []
    const out: string[] = []
    for (const [entry, at] of entries) {
      const token = entry.toLowerCase()
      if (!valid.includes(token)) issues.push({ path: at, message: `invalid value '${entry}': expected one of: ${valid.join(', ')}` })
      else if (!out.includes(token)) out.push(token)
    }
    if (!out.includes('off')) return out
    if (out.length > 1) issues.push({ path, message: "'off' cannot be combined with other values" })
    return []
  }
}

const HEADER_TOKENS = [
  'server_tokens', 'latency_tokens', 'x-kong-request-id', 'server', 'via', 'x-kong-proxy-latency',
  'x-kong-response-latency', 'x-kong-admin-latency', 'x-kong-upstream-latency', 'x-kong-upstream-status',
  'microsecond_latency_tokens', 'off',
]

function isAddressOrCidr (value: string): boolean {
  const [address, bits, extra] = value.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) return false
  if (bits === undefined) return true
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)
}

function ipList (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (Array.isArray(input) && input.length === 0) return []
  const entries = listEntries(input, path, issues) ?? []
  const out: string[] = []
  for (const [entry, at] of entries) {
    if (entry === '' && entries.length === 1) continue
    if (isAddressOrCidr(entry)) out.push(entry)
    else issues.push({ path: at, message: `invalid value '${entry}': expected an IP address or a CIDR range` })
  }
  return out
}

function text (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (typeof input === 'string' && input !== '') return input
  issues.push({ path, message: 'expected a non-empty string' })
  return null
}

/**
 * Admin API hardening settings. The token is a setting, not an environment variable of its own: one file
 * holds the whole config, and decK's `${{ env "DECK_ADMIN_TOKEN" }}` keeps the literal out of it.
 */
const MIN_TOKEN_LENGTH = 16

function adminToken (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (input === null) return null
  // what an HTTP header value carries unchanged: printable ASCII, no spaces
  if (typeof input === 'string' && input.length >= MIN_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(input)) return input
  // the value itself never appears in the message
  issues.push({ path, message: `expected at least ${MIN_TOKEN_LENGTH} printable ASCII characters, without spaces` })
  return null
}

/** host names (no port, no wildcard), lower-cased */
function hostList (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (Array.isArray(input) && input.length === 0) return []
  const out: string[] = []
  for (const [entry, at] of listEntries(input, path, issues) ?? []) {
    if (entry === '' && out.length === 0) continue
    if (isHostname(entry) && !entry.includes(':')) out.push(entry.toLowerCase().replace(/\.$/, ''))
    else issues.push({ path: at, message: `invalid value '${entry}': expected a host name without a port` })
  }
  return out
}

function routerFlavor (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (typeof input === 'string' && (ROUTER_FLAVORS as readonly string[]).includes(input)) return input
  issues.push({
    path,
    message: input === 'expressions'
      ? "router_flavor 'expressions' is not supported by Tollgate yet: use traditional_compatible or traditional"
      : `expected one of: ${ROUTER_FLAVORS.join(', ')}`
  })
  return null
}

const SETTINGS = {
  proxy_listen: { default: '0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384', parse: (input, path, issues) => parseListen(input, path, issues, { allowOff: false, tls: true }) },
  admin_listen: { default: '127.0.0.1:8001', parse: (input, path, issues) => parseListen(input, path, issues, { allowOff: true, tls: false }) },
  worker_processes: { default: 'auto', parse: countOrAuto(() => availableParallelism()) },
  headers: { default: 'server_tokens, latency_tokens, X-Kong-Request-Id', parse: tokens(HEADER_TOKENS) },
  headers_upstream: { default: 'X-Kong-Request-Id', parse: tokens(['x-kong-request-id', 'off']) },
  log_level: { default: 'notice', parse: oneOf(['debug', 'info', 'notice', 'warn', 'error', 'crit']) },
  proxy_access_log: { default: 'off', parse: oneOf(['off', 'stdout', 'stderr']) },
  drain_timeout: { default: 10, parse: seconds },
  client_header_timeout: { default: 60, parse: positiveSeconds },
  client_body_timeout: { default: 60, parse: positiveSeconds },
  client_max_body_size: { default: 0, parse: size },
  // Kong's nginx_http_client_body_buffer_size default (kong/templates/kong_defaults.lua): plugins see a body
  // only if it fits nginx's in-memory buffer (kong/pdk/request.lua get_raw_body)
  client_body_buffer_size: { default: '8k', parse: positiveSize },
  client_max_header_size: { default: 16384, parse: number({ type: 'integer', between: [1024, 1024 ** 3] }) },
  keepalive_timeout: { default: 60, parse: seconds },
  upstream_keepalive_pool_size: { default: 512, parse: integer(0) },
  upstream_keepalive_max_requests: { default: 10000, parse: integer(0) },
  upstream_keepalive_idle_timeout: { default: 60, parse: seconds },
  // nginx's proxy_ssl_verify (Kong sets it with nginx_proxy_proxy_ssl_verify; nginx's default is off). On by
  // default here: a service that does not say otherwise gets its https upstream verified (src/proxy/upstream-tls.ts)
  proxy_ssl_verify: { default: 'on', parse: onOff },
  trusted_ips: { default: [], parse: ipList },
  prefix: { default: '.tollgate', parse: text },
  token_cache_slots: { default: 4096, parse: integer(1) },
  token_cache_slot_size: { default: 2048, parse: integer(256) },
  // Tollgate's own: openid-connect's per-worker cache of verified bearer tokens (0: none, each request verifies)
  oidc_verified_token_cache_size: { default: '4m', parse: size },
  signing_threads: { default: 'auto', parse: countOrAuto(() => Math.max(1, Math.floor(availableParallelism() / 2))) },
  admin_max_body_size: { default: '10m', parse: size },
  // Admin API hardening (src/admin/admin-guard.ts)
  admin_token: { default: null, parse: adminToken },
  admin_allowed_hosts: { default: [], parse: hostList },
  // Kong's router (src/router/flavor.ts); bound at start, as every kong.conf setting
  router_flavor: { default: 'traditional_compatible', parse: routerFlavor },
  // Kong's DNS client (kong/resty/dns/client.lua; src/dns/resolver.ts), with kong.conf.default's defaults
  dns_resolver: { default: [], parse: parseDnsResolver },
  dns_hostsfile: { default: '/etc/hosts', parse: parseHostsFilePath },
  dns_order: { default: 'LAST,SRV,A,CNAME', parse: parseDnsOrder },
  dns_valid_ttl: { default: null, parse: (input, path, issues) => input === null ? null : seconds(input, path, issues) },
  dns_stale_ttl: { default: 3600, parse: seconds },
  dns_not_found_ttl: { default: 30, parse: seconds },
  dns_error_ttl: { default: 1, parse: seconds },
  dns_cache_size: { default: 10000, parse: integer(1) },
  dns_no_sync: { default: 'off', parse: onOff },
  // the proxy's TLS (src/config/ssl-settings.ts, src/tls/)
  ...SSL_SETTINGS(onOff) as Record<'ssl_cert' | 'ssl_cert_key' | 'ssl_cipher_suite' | 'ssl_ciphers' | 'ssl_protocols' |
    'ssl_prefer_server_ciphers' | 'ssl_dhparam' | 'ssl_session_tickets' | 'ssl_session_timeout', SettingDef>,
} satisfies Record<keyof Settings, SettingDef>

export const SETTING_NAMES: readonly string[] = Object.keys(SETTINGS)

/** Reads every setting from the top-level object (absent or null: the default). */
export function parseSettings (input: Readonly<Record<string, unknown>>, issues: ConfigIssue[]): Settings {
  const out: Record<string, unknown> = {}
  for (const [name, def] of Object.entries(SETTINGS) as Array<[string, SettingDef]>) {
    const value = input[name]
    out[name] = def.parse(value === undefined || value === null ? def.default : value, joinPath('', name), issues)
  }
  checkCertificatePairs(out.ssl_cert as string[], out.ssl_cert_key as string[], issues)
  return out as unknown as Settings
}
