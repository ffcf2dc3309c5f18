// Shapes the DNS resolver shares with its callers (the main thread's upstream registry, the workers' lookup).

/** One address a name resolved to. */
export interface ResolvedAddress {
  /** an IP address (IPv6 without brackets) */
  readonly address: string
  /** the SRV record's port; null for A/AAAA answers, the hosts file and IP literals (keep the caller's port) */
  readonly port: number | null
  /** the SRV record's weight (0 as the record says it); null when the answer was not SRV */
  readonly weight: number | null
  readonly family: 4 | 6
  /** seconds the answer was valid for when it was fetched (dns_valid_ttl when set) */
  readonly ttl: number
}

/** Record types a name can be resolved through (Kong's dns_order, LAST aside). */
export type DnsRecordType = 'SRV' | 'A' | 'AAAA' | 'CNAME'

/** One entry of dns_order: a record type, or LAST (the type that last succeeded for the name). */
export type DnsOrderEntry = DnsRecordType | 'LAST'

/** A name server to query: dns_resolver's `ip[:port]`, the port 53 when left out. */
export interface DnsServerAddress {
  /** IPv4 or IPv6 address, without brackets */
  readonly address: string
  readonly port: number
}
