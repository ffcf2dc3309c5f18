// Property tests of kong/tools/ip.lua's parsing as host-port.ts ports it, on the attacker-shaped input a
// config file or an Admin path can hold: every valid host[:port] normalises to a target that normalises to
// itself and names the same host and port; IPv6 agrees with the WHATWG URL parser; no string throws.

import t from 'tap'
import fc from 'fast-check'
import { normalizeHostPort } from '../../../src/config/schema/host-port.ts'
import { normalizeTarget } from '../../../src/config/schema/target.ts'

const label = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,20}$/).filter((l) => !l.endsWith('-'))
/** a name ip.lua calls a name: not digits and dots only (that is an IPv4 address to it) */
const hostname = fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.'))
  .filter((name) => !/^[\d.]+$/.test(name))
const ipv4 = fc.ipV4()
/** without an embedded IPv4 part, which ip.lua does not parse */
const ipv6 = fc.ipV6().filter((address) => !address.includes('.'))
const port = fc.option(fc.integer({ min: 0, max: 65535 }), { nil: null })

function withPort (host: string, p: number | null): string {
  return p === null ? host : `${host}:${p}`
}

/** the host:port a normalised target names */
function parts (target: string): { host: string, port: number } {
  const colon = target.lastIndexOf(':')
  return { host: target.slice(0, colon), port: Number(target.slice(colon + 1)) }
}

t.test('names: kept as written, port 8000 unless given, and normalised again unchanged', async (t) => {
  fc.assert(fc.property(hostname, port, (host, p) => {
    const target = normalizeTarget(withPort(host, p))
    t.equal(target, `${host}:${p ?? 8000}`)
    return normalizeTarget(target!) === target
  }), { numRuns: 500 })
})

t.test('IPv4: leading zeros dropped, the same address and port, idempotent', async () => {
  fc.assert(fc.property(ipv4, port, fc.boolean(), (address, p, pad) => {
    const written = pad ? address.split('.').map((part) => part.padStart(3, '0')).join('.') : address
    const target = normalizeTarget(withPort(written, p))
    if (target !== `${address}:${p ?? 8000}`) return false
    return normalizeTarget(target) === target
  }), { numRuns: 500 })
})

t.test('IPv6: expanded in brackets, the address the URL parser reads, idempotent', async () => {
  fc.assert(fc.property(ipv6, port, (address, p) => {
    const target = normalizeTarget(p === null ? address : `[${address}]:${p}`)
    if (target === null) return false
    const { host, port: got } = parts(target)
    if (got !== (p ?? 8000) || !/^\[[0-9a-f]{4}(?::[0-9a-f]{4}){7}\]$/.test(host)) return false
    if (new URL(`http://${host}/`).hostname !== new URL(`http://[${address}]/`).hostname) return false
    return normalizeTarget(target) === target
  }), { numRuns: 500 })
})

t.test('any string: never throws; a result is a host:port that normalises to itself', async () => {
  const atoms = fc.constantFrom('[', ']', ':', '::', '.', '-', '_', '0', '1', '255', '256', '65535', '65536', 'a', 'ff', 'g', ' ', '%', '/', 'é')
  const text = fc.oneof(fc.string(), fc.array(atoms, { maxLength: 24 }).map((a) => a.join('')))
  fc.assert(fc.property(text, (value) => {
    const target = normalizeTarget(value)
    return target === null || (normalizeTarget(target) === target && typeof normalizeHostPort(target) !== 'string')
  }), { numRuns: 3000 })
})

t.test('ip.lua edge cases', async (t) => {
  const cases: ReadonlyArray<[string, string | null]> = [
    ['a:65536', null], ['1.2.3.4:65536', null], ['[::1]:65536', null], ['256.1.1.1', null], ['1.2.3', null], ['1.2.3.4:', null],
    ['[::1]:', null], ['[::1]x', null], ['::1:80', '[0000:0000:0000:0000:0000:0000:0001:0080]:8000'], ['a..b', null], ['.a', null],
    ['a.', 'a.:8000'], ['-a', '-a:8000'], ['a-', null], ['a:080', 'a:80'], ['a:0', 'a:0'], ['1:2:3:4:5:6:7:8:9', null],
  ]
  for (const [input, want] of cases) t.equal(normalizeTarget(input), want, input)
})
