// A DnsResolver from the gateway's settings, as Kong builds its client from kong.conf (kong/tools/dns.lua):
// dns_resolver, or else the system's name servers (resolv.conf, as Node's c-ares read it at start), and the
// hosts file read once now.

import { getServers } from 'node:dns'
import type { Settings } from '../config/types.ts'
import { readHostsFile } from './hosts-file.ts'
import { DnsResolver, type DnsResolverOptions } from './resolver.ts'
import { parseServerAddress } from './settings.ts'
import type { DnsServerAddress } from './types.ts'

type DnsSettings = Pick<Settings, 'dns_resolver' | 'dns_hostsfile' | 'dns_order' | 'dns_valid_ttl' | 'dns_stale_ttl' |
  'dns_not_found_ttl' | 'dns_error_ttl' | 'dns_cache_size' | 'dns_no_sync'>

/** The system's name servers; getServers() gives `ip`, `ip:port` or `[ipv6]:port`. */
function systemServers (): DnsServerAddress[] {
  const out: DnsServerAddress[] = []
  for (const entry of getServers()) {
    const server = parseServerAddress(entry)
    if (server !== null) out.push(server)
  }
  return out
}

export function createDnsResolver (settings: DnsSettings, options: Pick<DnsResolverOptions, 'timeoutMs' | 'attempts' | 'now' | 'minRefreshMs'> = {}): DnsResolver {
  return new DnsResolver({
    servers: settings.dns_resolver.length > 0 ? settings.dns_resolver : systemServers(),
    hosts: readHostsFile(settings.dns_hostsfile),
    order: settings.dns_order,
    validTtl: settings.dns_valid_ttl,
    staleTtl: settings.dns_stale_ttl,
    notFoundTtl: settings.dns_not_found_ttl,
    errorTtl: settings.dns_error_ttl,
    cacheSize: settings.dns_cache_size,
    noSync: settings.dns_no_sync,
    ...options,
  })
}
