// Origin matching (origins.ts), the part of cors that reads attacker input:
//   - Kong's own table, spec/03-plugins/13-cors/01-access_spec.lua regex_testcases, case for case, and its
//     flat-string, scheme/port and host cases;
//   - normalizeOrigin on the shapes LuaSocket's url.parse handles specially (userinfo, IPv6, fragment);
//   - property-based: normalizeOrigin and the whole match against a reference model written the obvious
//     way from handler.lua and LuaSocket 3.0-rc1's url.lua (Lua patterns as JavaScript regexes, ngx.re's
//     anchored "a" flag as a sticky regex), on random and adversarial origins and configs.

import t from 'tap'
import fc from 'fast-check'
import { allowedOrigin, allowsAll, compileOrigins, isPlainOrigin, normalizeOrigin } from '../../../src/plugins/cors/origins.ts'
import { luaNumberString } from '../../../src/plugins/cors/lua-number.ts'

/** What a preflight answers in Access-Control-Allow-Origin (null: absent). */
const acao = (origins: string[], origin: string | null): string | null => allowedOrigin(compileOrigins(origins), origin)

// spec/03-plugins/13-cors/01-access_spec.lua regex_testcases: true = the origin echoed, a string = that
// value, false = no header
const KONG_CASES: ReadonlyArray<{ origins: string[], tests: Record<string, string | boolean> }> = [
  { origins: ['foo.test'], tests: { 'http://evil.test': 'foo.test', 'http://foo.test': 'foo.test', 'http://foo.test.evil.test': 'foo.test', 'http://something.foo.test': 'foo.test', 'http://evilfoo.test': 'foo.test', 'http://foo.test:80': 'foo.test', 'http://foo.test:8000': 'foo.test', 'https://foo.test:8000': 'foo.test', 'http://foo.test:90': 'foo.test', 'http://foobtest': 'foo.test', 'https://bar.test:1234': 'foo.test' } },
  { origins: ['https://bar.test:1234'], tests: { 'http://evil.test': 'https://bar.test:1234', 'http://foo.test': 'https://bar.test:1234', 'http://foo.test:80': 'https://bar.test:1234', 'https://bar.test:1234': 'https://bar.test:1234' } },
  { origins: ['foo\\.test'], tests: { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://something.foo.test': false, 'http://evilfoo.test': false, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': true, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['(.*[./])?foo\\.test'], tests: { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://something.foo.test': true, 'http://evilfoo.test': false, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': true, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['(.*[./])?foo\\.test:8000'], tests: { 'http://evil.test': false, 'http://foo.test': false, 'http://foo.test.evil.test': false, 'http://something.foo.test': false, 'http://evilfoo.test': false, 'http://foo.test:80': false, 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': false, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['https://(.*[.])?foo\\.test:8000'], tests: { 'http://evil.test': false, 'http://foo.test': false, 'http://foo.test.evil.test': false, 'http://something.foo.test': false, 'http://foo.test:80': false, 'http://foo.test:8000': false, 'https://foo.test:8000': true, 'http://foo.test:90': false, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['^http://(.*[.])?foo\\.test(:(80|90))?$'], tests: { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://something.foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': false, 'https://foo.test:8000': false, 'http://foo.test:90': true, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['foo.test', 'bar.test'], tests: { 'http://evil.test': false, 'http://foo.test': false, 'http://foo.test.evil.test': false, 'http://foo.test:80': false, 'http://foo.test:8000': false, 'http://foo.test:90': false, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['http://foo.test', 'https://bar.test:1234'], tests: { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': false, 'http://foo.test:90': false, 'http://foobtest': false, 'https://bar.test:1234': true } },
  { origins: ['bar.test', 'foo\\.test'], tests: { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://something.foo.test': false, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'http://foo.test:90': true, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['bar.test', '(.*\\.)?foo\\.test'], tests: { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://something.foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'http://foo.test:90': true, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['bar.test', '(.*[./])?foo\\.test:8000'], tests: { 'http://evil.test': false, 'http://foo.test': false, 'http://foo.test.evil.test': false, 'http://something.foo.test': false, 'http://foo.test:80': false, 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': false, 'http://foobtest': false, 'https://bar.test:1234': false } },
  { origins: ['bar.test', 'https://(.*\\.)?foo\\.test:8000'], tests: { 'http://evil.test': false, 'http://foo.test': false, 'http://foo.test.evil.test': false, 'http://something.foo.test': false, 'http://foo.test:80': false, 'http://foo.test:8000': false, 'https://foo.test:8000': true, 'http://foo.test:90': false, 'http://foobtest': false, 'https://bar.test:1234': false } },
]

t.test("Kong's regex_testcases", async (t) => {
  for (const { origins, tests } of KONG_CASES) {
    for (const [origin, accept] of Object.entries(tests)) {
      const want = accept === true ? origin : accept === false ? null : accept
      t.equal(acao(origins, origin), want, `${JSON.stringify(origins)} given ${origin}`)
    }
  }
})

t.test("Kong's other origin cases", async (t) => {
  // "properly validates flat strings" (cors10)
  const flat = ['http://my-site.test', 'http://my-other-site.test']
  t.equal(acao(flat, 'http://my-site.test'), 'http://my-site.test')
  t.equal(acao(flat, 'http://bad-guys.test'), null)
  t.equal(acao(flat, 'http://my-site.test.bad-guys.test'), null)
  // "validates scheme and port" (cors11)
  const ported = ['http://my-site.test', 'https://my-other-site.test:9000']
  t.equal(acao(ported, 'http://my-site.test:80'), 'http://my-site.test')
  t.equal(acao(ported, 'http://my-site.test:8000'), null)
  t.equal(acao(ported, 'https://my-site.test'), null)
  t.equal(acao(ported, 'https://my-other-site.test:9000'), 'https://my-other-site.test:9000')
  t.equal(acao(ported, 'https://my-other-site.test:9001'), null)
  // "sets CORS orgin based on origin host" (cors6, cors9) and "does not automatically parse the host"
  t.equal(acao(['example.test', 'example.org'], 'example.test'), 'example.test')
  t.equal(acao(['example.test', 'example.org'], 'http://example.test'), null)
  t.equal(acao(['example.test', 'example.org'], 'https://example.test'), null)
  const regex = ['.*\\.?example(?:-foo)?.test']
  for (const origin of ['example.test', 'www.example.test', 'example-foo.test', 'www.example-foo.test']) t.equal(acao(regex, origin), origin)
  t.equal(acao(regex, 'www.example-fo0.test'), null)
  // "*" among several (cors14): allow-all, but only with an Origin; empty origins (cors-empty-origins)
  t.equal(acao(['foo.bar', '*'], 'http://www.example.net'), '*')
  t.equal(acao(['foo.bar', '*'], null), null)
  t.ok(allowsAll(compileOrigins(['foo.bar', '*']), 'x') && !allowsAll(compileOrigins(['foo.bar', '*']), null))
  t.equal(acao([], 'http://a.test'), '*')
  t.equal(acao(['*'], null), '*')
  t.equal(acao(['foo.bar'], null), 'foo.bar', 'a fixed origin is sent without an Origin too (cors16)')
  t.equal(acao(['http://a.test', 'b\\.test'], null), null)
  // an alternation is anchored as a whole: Kong's "ajo" anchors every branch at the start, its '$' the last
  t.equal(acao(['a\\.test|b\\.test'], 'http://evilb.test'), null)
  t.equal(acao(['a\\.test|b\\.test'], 'http://a.test.evil'), 'http://a.test.evil', "Kong's '$' closes only the last branch")
})

t.test('normalizeOrigin: what LuaSocket url.parse makes of odd origins', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['http://a.test', 'http://a.test', 'a.test'],
    ['http://a.test:80', 'http://a.test', 'a.test'],
    ['https://a.test:443', 'https://a.test', 'a.test'],
    ['http://a.test:443', 'http://a.test:443', 'a.test'],
    ['HTTP://a.test:80', 'HTTP://a.test:80', 'a.test'],
    ['http://user:pw@a.test:8080/path?q#f', 'http://a.test:8080', 'a.test'],
    ['http://[::1]:8080', 'http://::1:8080', '::1'],
    ['http://[::1]', 'http://::1', '::1'],
    ['http://a.test:', 'http://a.test:', 'a.test'],
    ['http://', 'http://', 'http://'],
    ['http://:80', 'http://:80', 'http://:80'],
    ['a.test', 'a.test', 'a.test'],
    ['a.test:8000', 'a.test:8000', 'a.test:8000'],
    ['//a.test:80', 'a.test:80', 'a.test'],
    ['http://a.test#x/y', 'http://a.test', 'a.test'],
    ['null', 'null', 'null'],
  ]
  for (const [origin, domain, host] of cases) t.strictSame(normalizeOrigin(origin), { domain, host }, origin)
})

t.test("max_age as Lua's tostring writes it", async (t) => {
  const cases: Array<[number, string]> = [[23, '23'], [0, '0'], [1728000, '1728000'], [1.5, '1.5'], [-3, '-3'],
    [0.1, '0.1'], [1e-5, '1e-05'], [1.2345678901234568e17, '1.2345678901235e+17'], [1e14, '1e+14'], [99999999999999, '99999999999999'],
    [1 / 3, '0.33333333333333'], [Infinity, 'inf']]
  for (const [value, text] of cases) t.equal(luaNumberString(value), text, String(value))
})

// ---- the reference model ----

interface ModelNormalized { domain: string, host: string }

/** LuaSocket 3.0-rc1 src/url.lua _M.parse, pattern for pattern (Lua's '.' is any byte: [\s\S]). */
function modelParse (url: string): { scheme?: string, host?: string, port?: string } {
  const parsed: { scheme?: string, host?: string, port?: string, authority?: string } = {}
  url = url.replace(/#[\s\S]*$/, '')
  url = url.replace(/^([A-Za-z0-9][A-Za-z0-9+\-.]*):/, (_, s: string) => { parsed.scheme = s; return '' })
  url.replace(/^\/\/([^/]*)/, (_, a: string) => { parsed.authority = a; return '' })
  if (parsed.authority === undefined) return parsed
  let authority = parsed.authority.replace(/^([^@]*)@/, '')
  authority = authority.replace(/:([^:\]]*)$/, (_, p: string) => { parsed.port = p; return '' })
  if (authority !== '') parsed.host = /^\[([\s\S]+)\]$/.exec(authority)?.[1] ?? authority
  return parsed
}

/** handler.lua normalize_origin */
function modelNormalize (origin: string): ModelNormalized {
  const p = modelParse(origin)
  if (p.host === undefined) return { domain: origin, host: origin }
  let port = p.port
  if ((p.scheme === 'http' && port === '80') || (p.scheme === 'https' && port === '443')) port = undefined
  return { domain: (p.scheme !== undefined ? p.scheme + '://' : '') + p.host + (port !== undefined ? ':' + port : ''), host: p.host }
}

/** handler.lua configure_origin (header_filter flavour without Vary): [ACAO or null, allow_all] */
function modelConfigure (origins: string[], origin: string | null): [string | null, boolean] {
  if (origins.length === 0 || (origins.length === 1 && origins[0] === '*')) return ['*', true]
  if (origins.length === 1 && /^[A-Za-z0-9.:/-]+$/.test(origins[0])) return [origins[0], false]
  if (origin === null) return [null, false]
  const domains: Array<{ regex?: RegExp, domain?: string, byHost: boolean }> = []
  for (let entry of origins) {
    if (entry === '*') return ['*', true]
    if (/[^A-Za-z0-9.:/-]/.test(entry)) {
      if (!entry.endsWith('$')) entry += '$'
      if (entry.startsWith('^')) entry = entry.slice(1)
      // ngx.re.find(..., "ajo"): anchored at the subject's start, as a sticky regex from index 0 is
      domains.push({ regex: new RegExp(entry, 'y'), byHost: !entry.includes(':') })
    } else {
      domains.push({ domain: modelNormalize(entry).domain, byHost: !entry.includes(':') })
    }
  }
  const req = modelNormalize(origin)
  for (const d of domains) {
    let found
    if (d.regex !== undefined) {
      d.regex.lastIndex = 0
      found = d.regex.test(d.byHost ? req.host : req.domain)
    } else {
      found = req.domain === d.domain
    }
    if (found) return [req.domain, false]
  }
  return [null, false]
}

// ---- generators ----

const ORIGIN_ATOMS = ['evil', 'http', 'https', 'HTTP', 'ftp', '://', ':', '//', '/', '80', '443', '8000', ':80', ':443', 'foo', 'test',
  '.', 'foo.test', '.evil', '@', '[', ']', '::1', '#', '?', ';', 'a', '-', '+', ' ', '*', ',', 'ÿ', 'é', '\t', 'bar.test', '%2e']
const originText = fc.oneof(
  fc.array(fc.constantFrom(...ORIGIN_ATOMS), { minLength: 1, maxLength: 12 }).map((a) => a.join('')),
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })
)
const ENTRIES = ['foo.test', 'bar.test', 'http://foo.test', 'https://foo.test:443', 'http://foo.test:80', 'foo.test:8000',
  'https://bar.test:1234', '//foo.test', 'http://[::1]', 'foo\\.test', '(.*[./])?foo\\.test', '(.*[./])?foo\\.test:8000',
  'https://(.*[.])?foo\\.test:8000', '^http://(.*[.])?foo\\.test(:(80|90))?$', 'foo|bar', '^a|^b$', 'foo\\.test|bar\\.test', 'http://foo\\.test:80',
  '.*', '[^.]+\\.test', 'HTTP://foo\\.test', '\\[::1\\]', '*']
const config = fc.array(fc.constantFrom(...ENTRIES), { maxLength: 4 })

t.test('property: normalizeOrigin = the url.parse model, on any text', async (t) => {
  fc.assert(fc.property(originText, (origin) => {
    const got = normalizeOrigin(origin)
    const want = modelNormalize(origin)
    return got.domain === want.domain && got.host === want.host
  }), { numRuns: 20_000 })
  t.pass('20000 origins')
})

t.test('property: the allowed origin and allow_all = the handler.lua model', async (t) => {
  fc.assert(fc.property(config, fc.option(originText, { nil: null }), (origins, origin) => {
    const policy = compileOrigins(origins)
    const [want, wantAll] = modelConfigure(origins, origin)
    return allowedOrigin(policy, origin) === want && allowsAll(policy, origin) === wantAll
  }), { numRuns: 20_000 })
  t.pass('20000 configs and origins')
})

t.test('property: an origin built to look allowed is allowed only when the model allows it', async (t) => {
  // adversarial: an allowed origin with a suffix, prefix, userinfo, port or fragment spliced in
  const crafted = fc.tuple(fc.constantFrom('http://foo.test', 'https://foo.test:8000', 'foo.test', 'http://a.foo.test'),
    fc.constantFrom('', '.evil', ':80', ':443', '#', '@evil.test', '/x', '?x', ':8000', '.', ':'),
    fc.constantFrom('', 'http://evil@', 'evil.', 'https://'))
    .map(([base, suffix, prefix]) => prefix + base + suffix)
  fc.assert(fc.property(config, crafted, (origins, origin) => {
    const [want] = modelConfigure(origins, origin)
    return allowedOrigin(compileOrigins(origins), origin) === want
  }), { numRuns: 10_000 })
  t.pass('10000 crafted origins')
})

t.test('isPlainOrigin is Kong\'s ^[A-Za-z0-9.:/-]+$', async (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => isPlainOrigin(s) === /^[A-Za-z0-9.:/-]+$/.test(s)))
  t.pass()
})
