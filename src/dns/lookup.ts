// A `lookup` for net.connect (and so for undici's connect options) answered from a DnsResolver's cache: a
// cached name costs no query and no promise, only the callback on the next tick (net expects it
// asynchronous, as dns.lookup is). Successive connections to a name with several addresses start at the next
// one in turn, as Kong's toip round-robins over an A answer (kong/resty/dns/client.lua roundRobin). SRV
// ports cannot apply here (the caller chose the port): SRV answers give their addresses only.

import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns'
import { isIP } from 'node:net'
import type { DnsCacheEntry, DnsResolver } from './resolver.ts'
import { normalizeName } from './resolver.ts'
import type { ResolvedAddress } from './types.ts'

type LookupOptions = LookupOneOptions | LookupAllOptions | number | undefined
type OneCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void
type AllCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void

/** net.connect's `lookup` option type */
export type ConnectLookup = (hostname: string, options: LookupOptions, callback: OneCallback | AllCallback) => void

function familyOf (options: LookupOptions): number {
  if (typeof options === 'number') return options
  return options?.family === 'IPv4' ? 4 : options?.family === 'IPv6' ? 6 : Number(options?.family ?? 0)
}

function answer (addresses: readonly ResolvedAddress[], start: number, options: LookupOptions, callback: OneCallback | AllCallback): void {
  const family = familyOf(options)
  const all = typeof options === 'object' && options.all === true
  const out: LookupAddress[] = []
  for (let i = 0; i < addresses.length; i++) {
    const address = addresses[(start + i) % addresses.length]
    if (family !== 4 && family !== 6) out.push({ address: address.address, family: address.family })
    else if (address.family === family) out.push({ address: address.address, family: address.family })
    if (!all && out.length === 1) break
  }
  if (out.length === 0) {
    const err: NodeJS.ErrnoException = new Error(`no IPv${family} address`)
    err.code = 'ENOTFOUND'
    process.nextTick(callback as OneCallback, err, '', 0)
  } else if (all) {
    process.nextTick(callback as AllCallback, null, out)
  } else {
    process.nextTick(callback as OneCallback, null, out[0].address, out[0].family)
  }
}

function fromEntry (entry: DnsCacheEntry, options: LookupOptions, callback: OneCallback | AllCallback): void {
  if (entry.error !== null) {
    process.nextTick(callback as OneCallback, entry.error, '', 0)
    return
  }
  const start = entry.cursor
  entry.cursor = (start + 1) % entry.addresses.length
  answer(entry.addresses, start, options, callback)
}

/** The lookup function for `resolver`: build it once (per worker), pass it to every connect. */
export function createLookup (resolver: DnsResolver): ConnectLookup {
  return function lookup (hostname, options, callback) {
    const key = normalizeName(hostname)
    const entry = isIP(key) === 0 ? resolver.peek(key) : null
    if (entry !== null) {
      fromEntry(entry, options, callback)
      return
    }
    resolver.resolve(key).then(
      (addresses) => {
        const cached = resolver.peek(key)
        if (cached !== null) fromEntry(cached, options, callback)
        else answer(addresses, 0, options, callback)
      },
      (err: unknown) => { (callback as OneCallback)(err as NodeJS.ErrnoException, '', 0) }
    )
  }
}
