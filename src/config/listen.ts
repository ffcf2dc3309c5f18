// kong.conf's listen syntax: "host:port [flag ...]" entries, comma-separated or as an array, e.g.
// "0.0.0.0:8000, [::]:8000 reuseport backlog=16384". Flags are checked against the ones Kong accepts and
// kept for display; Tollgate serves plain HTTP whatever they say.

import type { ConfigIssue } from '../core/errors.ts'
import type { ListenAddress } from './types.ts'
import { isHostname } from './schema/typedefs.ts'
import { joinPath } from './schema/engine.ts'

const ENTRY = /^(\[[^\]]+\]|[^\s:[\]]+):(\d{1,5})(?:\s+(.+))?$/
const FLAG = /^(?:ssl|http2|proxy_protocol|deferred|bind|reuseport|backlog=\d+|ipv6only=(?:on|off)|so_keepalive=(?:on|off|\d*:\d*:\d*))$/

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

function parseEntry (entry: string, path: string, issues: ConfigIssue[]): ListenAddress | null {
  const match = ENTRY.exec(entry)
  if (match === null) {
    issues.push({ path, message: `invalid listen address '${entry}': expected host:port followed by optional flags` })
    return null
  }
  const [, rawHost, rawPort, rawFlags] = match
  const host = rawHost === '*' ? '0.0.0.0' : rawHost.replace(/^\[(.*)\]$/, '$1')
  const port = Number(rawPort)
  const flags = rawFlags === undefined ? [] : rawFlags.split(/\s+/)
  let ok = true
  if (host !== '0.0.0.0' && !isHostname(rawHost)) {
    issues.push({ path, message: `invalid listen address '${entry}': invalid host` })
    ok = false
  }
  if (port > 65535) {
    issues.push({ path, message: `invalid listen address '${entry}': port must be between 0 and 65535` })
    ok = false
  }
  for (const flag of flags) {
    if (!FLAG.test(flag)) {
      issues.push({ path, message: `invalid listen flag '${flag}' in '${entry}'` })
      ok = false
    }
  }
  return ok ? { host, port, flags } : null
}

/** Parses a listen setting; `off` (alone) gives [] where `allowOff`. */
export function parseListen (input: unknown, path: string, issues: ConfigIssue[], allowOff: boolean): ListenAddress[] {
  const entries = listEntries(input, path, issues)
  if (entries === null) return []
  const addresses: ListenAddress[] = []
  let off = false
  for (const [entry, at] of entries) {
    if (entry === 'off') off = true
    else if (entry === '' && entries.length === 1) issues.push({ path, message: 'at least one address is required' })
    else {
      const address = parseEntry(entry, at, issues)
      if (address !== null) addresses.push(address)
    }
  }
  if (!off) return addresses
  if (!allowOff) issues.push({ path, message: 'cannot be off' })
  else if (entries.length > 1) issues.push({ path, message: "'off' cannot be combined with addresses" })
  return []
}
