// kong.conf's listen syntax: "host:port [flag ...]" entries, comma-separated or as an array, e.g.
// "0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384". The flags are
// nginx's `listen` parameters that Kong passes through (kong/conf_loader/parse.lua parse_listeners); each is
// applied as far as Node can, and the ones it cannot honour are a config error rather than silently
// served as plain HTTP (src/workers/proxy-server.ts applies them).

import type { ConfigIssue } from '../core/errors.ts'
import type { ListenAddress } from './types.ts'
import { isHostname } from './schema/typedefs.ts'
import { joinPath } from './schema/engine.ts'

const ENTRY = /^(\[[^\]]+\]|[^\s:[\]]+):(\d{1,5})(?:\s+(.+))?$/
const FLAG = /^(?:ssl|http2|proxy_protocol|deferred|bind|reuseport|backlog=\d+|ipv6only=(?:on|off)|so_keepalive=(?:on|off|\d*:\d*:\d*))$/
/** Tollgate's backlog when none is given (nginx's NGX_LISTEN_BACKLOG is 511 on Linux; Kong's defaults say 16384) */
export const DEFAULT_BACKLOG = 2048

export interface ListenOptions {
  /** `off` (alone) is allowed and gives [] */
  readonly allowOff: boolean
  /** the listener can serve `ssl` and `http2` (the proxy); the Admin API serves plain HTTP only */
  readonly tls: boolean
}

/** Splits a kong.conf list value (comma-separated string, or array of strings) into [entry, path] pairs. */
export function listEntries (input: unknown, path: string, issues: ConfigIssue[]): Array<[string, string]> | null {
  if (typeof input === 'string') {
    return input.split(',').map((entry) => [entry.trim(), path])
  }
  if (Array.isArray(input)) {
    const entries: Array<[string, string]> = []
    input.forEach((entry, i) => {
      if (typeof entry === 'string') entries.push([entry.trim(), joinPath(path, i)])
      else issues.push({ path: joinPath(path, i), message: 'expected a string' })
    })
    return entries
  }
  issues.push({ path, message: 'expected a string or an array of strings' })
  return null
}

interface Flags {
  ssl: boolean
  http2: boolean
  backlog: number
  ipv6Only: boolean | null
  soKeepalive: number | null
}

/** The problem with a flag Kong accepts but Tollgate cannot serve as asked, or null. */
function unsupportedFlag (flag: string, options: ListenOptions): string | null {
  if (flag === 'proxy_protocol') return 'proxy_protocol is not supported by Tollgate yet'
  if (!options.tls && (flag === 'ssl' || flag === 'http2')) return `${flag} is not supported on admin_listen by Tollgate yet`
  // Node's setKeepAlive sets only the idle time (TCP_KEEPIDLE); the probe interval and count are libuv's
  if (flag.startsWith('so_keepalive=') && /:\d+:|:\d+$/.test(flag)) {
    return 'so_keepalive probe interval and count are not supported by Tollgate yet: use so_keepalive=on or so_keepalive=IDLE::'
  }
  return null
}

function applyFlag (flags: Flags, flag: string): void {
  if (flag === 'ssl') flags.ssl = true
  else if (flag === 'http2') flags.http2 = true
  else if (flag.startsWith('backlog=')) flags.backlog = Number(flag.slice(8))
  else if (flag.startsWith('ipv6only=')) flags.ipv6Only = flag === 'ipv6only=on'
  else if (flag === 'so_keepalive=off') flags.soKeepalive = null
  else if (flag === 'so_keepalive=on') flags.soKeepalive = 0
  else if (flag.startsWith('so_keepalive=')) flags.soKeepalive = Number(flag.slice(13, flag.indexOf(':')))
  // reuseport: every worker binds every listener with SO_REUSEPORT anyway (proxy-server.ts); bind: Node
  // binds each address on its own; deferred: TCP_DEFER_ACCEPT is out of Node's reach and only saves a wakeup
}

function parseEntry (entry: string, path: string, issues: ConfigIssue[], options: ListenOptions): ListenAddress | null {
  const match = ENTRY.exec(entry)
  if (match === null) {
    issues.push({ path, message: `invalid listen address '${entry}': expected host:port followed by optional flags` })
    return null
  }
  const [, rawHost, rawPort, rawFlags] = match
  const host = rawHost === '*' ? '0.0.0.0' : rawHost.replace(/^\[(.*)\]$/, '$1')
  const port = Number(rawPort)
  const list = rawFlags === undefined ? [] : rawFlags.split(/\s+/)
  const flags: Flags = { ssl: false, http2: false, backlog: DEFAULT_BACKLOG, ipv6Only: null, soKeepalive: null }
  let ok = true
  if (host !== '0.0.0.0' && !isHostname(rawHost)) {
    issues.push({ path, message: `invalid listen address '${entry}': invalid host` })
    ok = false
  }
  if (port > 65535) {
    issues.push({ path, message: `invalid listen address '${entry}': port must be between 0 and 65535` })
    ok = false
  }
  for (const flag of list) {
    const problem = FLAG.test(flag) ? unsupportedFlag(flag, options) : `invalid listen flag '${flag}'`
    if (problem === null) applyFlag(flags, flag)
    else {
      issues.push({ path, message: `${problem} in '${entry}'` })
      ok = false
    }
  }
  // Node serves HTTP/1.1 and cleartext HTTP/2 on one port only by choosing per connection; Tollgate does
  // not sniff the preface (nginx's ngx_http_v2 does), so h2c is refused rather than half-served
  if (flags.http2 && !flags.ssl) {
    issues.push({ path, message: `http2 without ssl (cleartext h2c) is not supported by Tollgate yet in '${entry}'` })
    ok = false
  }
  return ok ? { host, port, flags: list, ...flags } : null
}

/** Parses a listen setting (proxy_listen, admin_listen). */
export function parseListen (input: unknown, path: string, issues: ConfigIssue[], options: ListenOptions): ListenAddress[] {
  const entries = listEntries(input, path, issues)
  if (entries === null) return []
  const addresses: ListenAddress[] = []
  let off = false
  for (const [entry, at] of entries) {
    if (entry === 'off') off = true
    else if (entry === '' && entries.length === 1) issues.push({ path, message: 'at least one address is required' })
    else {
      const address = parseEntry(entry, at, issues, options)
      if (address !== null) addresses.push(address)
    }
  }
  if (!off) return addresses
  if (!options.allowOff) issues.push({ path, message: 'cannot be off' })
  else if (entries.length > 1) issues.push({ path, message: "'off' cannot be combined with addresses" })
  return []
}
