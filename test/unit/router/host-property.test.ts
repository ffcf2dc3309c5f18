// Property-based: the Host parser and the router's host matching against a small reference model, on
// random and pathological Host headers (many dots, empty labels, huge ports, IPv6 brackets, mixed case,
// up to 1 MiB). The model is written from the rules, not from the code: a name is the Host header without
// a trailing `:digits` (1 to 5 digits; after the first `]:` for a bracketed literal, else after the first
// `:`), case kept (Kong 3.x compares hosts case-sensitively); a name over 253 characters (RFC 1035 §2.3.4) matches no host rule; exact
// rules compare equal, `*.x` rules compare the end, `x.*` rules the start; a rule with a port needs it.

import t from 'tap'
import fc from 'fast-check'
import {
  HOST_CACHE_BYTES, HostCache, MAX_HOST_HEADER_LENGTH, NO_HOST, parseHost
} from '../../../src/router/host-match.ts'
import { Router } from '../../../src/router/router.ts'
import { entriesOf, makeRoute } from './route-fixture.ts'

interface ModelHost { name: string, port: number }
interface ModelRule { kind: 'exact' | 'suffix' | 'prefix', text: string, port: number, config: string }

function modelParse (raw: string): ModelHost | null {
  let name = raw
  let port = -1
  const sep = raw.startsWith('[') ? (raw.includes(']:') ? raw.indexOf(']:') + 1 : -1) : raw.indexOf(':')
  if (sep !== -1) {
    const digits = raw.slice(sep + 1)
    if (digits.length >= 1 && digits.length <= 5 && [...digits].every((c) => c >= '0' && c <= '9')) {
      name = raw.slice(0, sep)
      port = Number(digits)
    }
  }
  if (name.length > 253) return null
  return { name, port }
}

function modelMatches (rule: ModelRule, host: ModelHost | null): boolean {
  if (host === null || (rule.port !== -1 && rule.port !== host.port)) return false
  if (rule.kind === 'exact') return host.name === rule.text
  return rule.kind === 'suffix' ? host.name.endsWith(rule.text) : host.name.startsWith(rule.text)
}

// ---- generators
const label = fc.constantFrom('a', 'b', 'api', 'example', 'com', 'w1', 'x-y', 'A', 'Example', 'COM', '')
const dotted = (max: number): fc.Arbitrary<string> => fc.array(label, { minLength: 1, maxLength: max }).map((l) => l.join('.'))
const validName = fc.array(label.filter((l) => l !== ''), { minLength: 1, maxLength: 4 }).map((l) => l.join('.'))
const port = fc.oneof(fc.constant(''), fc.constantFrom(':80', ':8000', ':', ':http', ':00080'),
  fc.integer({ min: 0, max: 9_999_999 }).map((n) => `:${n}`), fc.nat({ max: 40 }).map((n) => ':' + '9'.repeat(n)))
const ipv6 = fc.tuple(fc.constantFrom('[::1]', '[fe80::1]', '[2001:DB8::]', '[', '[]', '[::1'), port, fc.constantFrom('', ']:80', ':80'))
  .map(([a, b, c]) => a + b + c)
const longName = fc.tuple(fc.integer({ min: 1, max: 1 << 19 }), fc.constantFrom('.', 'a.', '.a', 'A.b', 'x'), dotted(3), port)
  .map(([n, unit, tail, p]) => unit.repeat(Math.ceil(n / unit.length)) + tail + p)
const nearLimit = fc.tuple(fc.integer({ min: 240, max: 270 }), dotted(3), port)
  .map(([n, tail, p]) => ('a.'.repeat(n).slice(0, Math.max(0, n - tail.length)) + tail).slice(-n) + p)
const noise = fc.string({ unit: fc.constantFrom('.', 'a', 'B', ':', '[', ']', '1', '*', ' '), maxLength: 300 })
const hostHeader = fc.oneof(
  fc.tuple(dotted(6), port).map(([n, p]) => n + p),
  ipv6, longName, nearLimit, noise
)
const rule: fc.Arbitrary<ModelRule> = fc.tuple(fc.constantFrom('exact', 'suffix', 'prefix') as fc.Arbitrary<ModelRule['kind']>,
  validName, fc.constantFrom(-1, -1, 80, 8000))
  .map(([kind, name, p]) => {
    const text = kind === 'exact' ? name : kind === 'suffix' ? `.${name}` : `${name}.`
    const bare = kind === 'exact' ? name : kind === 'suffix' ? `*.${name}` : `${name}.*`
    return { kind, text, port: p, config: p === -1 ? bare : `${bare}:${p}` }
  })

t.test('parseHost agrees with the model on every input', async (t) => {
  fc.assert(fc.property(hostHeader, (raw) => {
    const parsed = parseHost(raw)
    const model = raw.length > MAX_HOST_HEADER_LENGTH ? null : modelParse(raw)
    if (model === null) return parsed === NO_HOST
    return parsed.name === model.name && parsed.port === model.port
  }), { numRuns: 2000 })
  t.pass('2000 inputs')
})

t.test('Router#find matches a host rule exactly when the model does, and keeps its cache in budget', async (t) => {
  const cache = new HostCache()
  let checked = 0
  fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 12 }), fc.array(hostHeader, { minLength: 1, maxLength: 8 }), (rules, hosts) => {
    const router = new Router(entriesOf(rules.map((r, i) => makeRoute(`r${i}`, { hosts: [r.config], paths: ['/'] }))), cache)
    for (const raw of hosts) {
      const model = modelParse(raw)
      const found = router.find('GET', raw, '/x', {})
      const anyMatch = rules.some((r) => modelMatches(r, model))
      if (found === null) {
        if (anyMatch) return false
      } else if (!modelMatches(rules[Number(found.value.slice(1))], model)) return false
      checked++
    }
    return cache.bytes <= HOST_CACHE_BYTES
  }), { numRuns: 400 })
  t.ok(checked > 0, `${checked} lookups`)
})

t.test('matching names built from the rules themselves (hits, not only misses)', async (t) => {
  let hits = 0
  fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 8 }), fc.nat(), dotted(3), port, (rules, pick, extra, p) => {
    const r = rules[pick % rules.length]
    const core = r.kind === 'exact' ? r.text : r.kind === 'suffix' ? `${extra}${r.text}` : `${r.text}${extra}`
    const raw = core + (r.port === -1 ? p : `:${r.port}`)
    const model = modelParse(raw)
    const router = new Router(entriesOf(rules.map((x, i) => makeRoute(`r${i}`, { hosts: [x.config], paths: ['/'] }))))
    const found = router.find('GET', raw, '/', {})
    const anyMatch = rules.some((x) => modelMatches(x, model))
    if (found !== null) hits++
    return found === null ? !anyMatch : modelMatches(rules[Number(found.value.slice(1))], model)
  }), { numRuns: 1000 })
  t.ok(hits > 500, `${hits} of 1000 found a route`)
})
