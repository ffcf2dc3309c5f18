// The records a DNS response answers a question with: the CNAME chain from the asked name is followed
// inside the answer section (what a recursive server sends with an A, AAAA or SRV answer), and each record
// keeps the smallest TTL along the chain. A response is input from the network: anything malformed is left
// out rather than trusted. Kong keeps only answers whose type and name match the question
// (kong/resty/dns/client.lua parseAnswer) and reaches the end of a chain through its CNAME step; following
// the chain here gives the same addresses in one query.

import type { Answer } from 'dns-packet'
import { isIP } from 'node:net'
import type { DnsRecordType } from './types.ts'

export type DnsRecord =
  | { readonly type: 'A' | 'AAAA', readonly address: string, readonly ttl: number }
  | { readonly type: 'SRV', readonly target: string, readonly port: number, readonly weight: number, readonly priority: number, readonly ttl: number }
  | { readonly type: 'CNAME', readonly target: string, readonly ttl: number }

/** a chain longer than this is a loop or an abuse */
const MAX_CHAIN = 8
/** TTLs are unsigned 32-bit, but RFC 2181 section 8 treats a value with the top bit set as 0 */
const MAX_TTL = 2 ** 31 - 1

function ttlOf (answer: Answer): number {
  const ttl = (answer as { ttl?: unknown }).ttl
  return typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_TTL ? ttl : 0
}

function sameName (a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase()
}

function isUint16 (value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535
}

function toRecord (answer: Answer, type: DnsRecordType, ttl: number): DnsRecord | null {
  const data: unknown = (answer as { data?: unknown }).data
  if (type === 'A' || type === 'AAAA') {
    return typeof data === 'string' && isIP(data) === (type === 'A' ? 4 : 6) ? { type, address: data, ttl } : null
  }
  if (type === 'CNAME') return typeof data === 'string' && data !== '' ? { type, target: data.toLowerCase(), ttl } : null
  if (typeof data !== 'object' || data === null) return null
  const { target, port, weight, priority } = data as Record<string, unknown>
  if (typeof target !== 'string' || target === '' || !isUint16(port)) return null
  return { type, target: target.toLowerCase(), port, weight: isUint16(weight) ? weight : 0, priority: isUint16(priority) ? priority : 0, ttl }
}

/** The records of `type` for `name` in `answers`, through any CNAME chain (none for a chain that loops). */
export function recordsFor (answers: readonly Answer[], name: string, type: DnsRecordType): DnsRecord[] {
  let current = name
  let chainTtl = MAX_TTL
  for (let hop = 0; hop <= MAX_CHAIN; hop++) {
    const out: DnsRecord[] = []
    let next: Answer | null = null
    for (const answer of answers) {
      if (typeof answer.name !== 'string' || !sameName(answer.name, current)) continue
      if (answer.type === type) {
        const record = toRecord(answer, type, Math.min(ttlOf(answer), chainTtl))
        if (record !== null) out.push(record)
      } else if (answer.type === 'CNAME' && next === null) {
        next = answer
      }
    }
    const target: unknown = next === null ? null : (next as { data?: unknown }).data
    if (out.length > 0 || next === null || typeof target !== 'string' || target === '') return out
    chainTtl = Math.min(chainTtl, ttlOf(next))
    current = target
  }
  return []
}
