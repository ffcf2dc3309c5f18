// Parsers for Kong's dns_* settings (kong.conf.default, "DNS RESOLVER"), validated as Kong's conf loader does
// (kong/conf_loader/parse.lua: dns_resolver, dns_hostsfile, dns_order). src/config/settings.ts holds them
// beside the other settings; the simple numeric and on/off ones use its own helpers.

import { statSync } from 'node:fs'
import { isIP } from 'node:net'
import type { ConfigIssue } from '../core/errors.ts'
import { listEntries } from '../config/listen.ts'
import type { DnsOrderEntry, DnsServerAddress } from './types.ts'

const DNS_PORT = 53
const ORDER_ENTRIES: readonly DnsOrderEntry[] = ['LAST', 'SRV', 'A', 'AAAA', 'CNAME']

/** `ip`, `ip:port`, `[ipv6]` or `[ipv6]:port` (a bare IPv6 address takes no port), as kong.tools.ip normalize_ip */
export function parseServerAddress (entry: string): DnsServerAddress | null {
  if (isIP(entry) !== 0) return { address: entry, port: DNS_PORT }
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry)
  const plain = bracketed === null ? /^([^:]+):(\d{1,5})$/.exec(entry) : null
  const match = bracketed ?? plain
  if (match === null) return null
  const address = match[1]
  if (isIP(address) !== (bracketed === null ? 4 : 6)) return null
  const port = match[2] === undefined ? DNS_PORT : Number(match[2])
  return port >= 1 && port <= 65535 ? { address, port } : null
}

/** dns_resolver: a comma-separated list (or an array); empty: the servers of /etc/resolv.conf */
export function parseDnsResolver (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (Array.isArray(input) && input.length === 0) return []
  const entries = listEntries(input, path, issues) ?? []
  const out: DnsServerAddress[] = []
  for (const [entry, at] of entries) {
    if (entry === '' && entries.length === 1) continue
    const server = parseServerAddress(entry)
    if (server !== null) out.push(server)
    else issues.push({ path: at, message: `invalid value '${entry}': expected an IPv4/6 address or IPv4/6:port` })
  }
  return out
}

/** dns_order: record types, case-insensitive, at least one (kong/resty/dns/client.lua init asserts it) */
export function parseDnsOrder (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  const out: DnsOrderEntry[] = []
  for (const [entry, at] of listEntries(input, path, issues) ?? []) {
    const type = entry.toUpperCase() as DnsOrderEntry
    if (!ORDER_ENTRIES.includes(type)) issues.push({ path: at, message: `invalid entry '${entry}': expected one of: ${ORDER_ENTRIES.join(', ')}` })
    else if (!out.includes(type)) out.push(type)
  }
  if (out.length === 0 && !issues.some((issue) => issue.path.startsWith(path))) issues.push({ path, message: 'expected at least one record type' })
  return out
}

/** dns_hostsfile: a file that exists, as Kong checks it at load ("dns_hostsfile: file does not exist") */
export function parseHostsFilePath (input: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (typeof input !== 'string' || input === '') {
    issues.push({ path, message: 'expected a file path' })
    return null
  }
  if (statSync(input, { throwIfNoEntry: false })?.isFile() !== true) issues.push({ path, message: `file does not exist: ${input}` })
  return input
}
