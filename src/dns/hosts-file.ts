// The hosts file (dns_hostsfile), read once at start as Kong does (kong/resty/dns/utils.lua parseHosts):
// `ip name [aliases...]`, `#` comments, names lower-cased, the first address of each family for a name
// wins. `localhost` is always defined (RFC 6761 section 6.3.3; kong/resty/dns/client.lua init).

import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'

export interface HostsEntry {
  readonly ipv4: string | null
  readonly ipv6: string | null
}

export type HostsTable = ReadonlyMap<string, HostsEntry>

const LOCALHOST: HostsEntry = { ipv4: '127.0.0.1', ipv6: '::1' }

export function parseHostsFile (text: string): HostsTable {
  const table = new Map<string, { ipv4: string | null, ipv6: string | null }>()
  for (const rawLine of text.split(/\r?\n/)) {
    const comment = rawLine.indexOf('#')
    const fields = (comment === -1 ? rawLine : rawLine.slice(0, comment)).trim().split(/\s+/)
    if (fields.length < 2) continue
    const ip = fields[0].startsWith('[') && fields[0].endsWith(']') ? fields[0].slice(1, -1) : fields[0]
    // a scoped IPv6 address (fe80::1%eth0) cannot be connected to by address alone
    const family = ip.includes('%') ? 0 : isIP(ip)
    if (family === 0) continue
    for (let i = 1; i < fields.length; i++) {
      const name = fields[i].toLowerCase()
      const entry = table.get(name) ?? { ipv4: null, ipv6: null }
      if (family === 4) entry.ipv4 ??= ip
      else entry.ipv6 ??= ip
      table.set(name, entry)
    }
  }
  if (!table.has('localhost')) table.set('localhost', LOCALHOST)
  return table
}

/** A missing file is an empty table (Kong logs "Hosts file not found" and goes on); settings check it exists. */
export function readHostsFile (path: string): HostsTable {
  let text = ''
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  return parseHostsFile(text)
}
