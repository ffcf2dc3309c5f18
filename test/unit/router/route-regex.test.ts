// Kong's regex syntax (PCRE-checked, matched by atc-router's Rust `regex`) translated for JavaScript or
// refused by name. Sources:
//   transform  = kong/router/transform.lua path_val_transform: `^` + pattern, `(?<` rewritten to `(?P<`
//   validate   = kong/db/schema/entities/routes.lua validate_route: atc-router (Rust regex) must compile it;
//                kong/db/schema/typedefs.lua validate_path_with_regexes: PCRE must compile it
//   rust       = the Rust regex crate's syntax (docs.rs/regex): no lookaround, backreferences, possessive or
//                atomic forms, recursion, conditionals, \G, \K, \Z; \A and \z anchors; (?flags) and
//                (?flags:...) groups; [[:alpha:]] ASCII classes; nested classes and && -- ~~ set operations
//   pcre       = PCRE2 pattern syntax (pcre2pattern(3)): (?P<name>, \A, \z, leading ] in a class is literal
import t from 'tap'
import fc from 'fast-check'
import { compileRouteRegex, translateRegex } from '../../../src/router/route-regex.ts'
import { Router } from '../../../src/router/router.ts'
import { ConfigError } from '../../../src/core/errors.ts'
import { doc, issuesOf } from '../config/issues.ts'
import { entriesOf, makeRoute } from './route-fixture.ts'

interface Translated { source: string, pattern: string, js: string, matches?: string[], misses?: string[] }
interface Refused { source: string, pattern: string, refused: RegExp }

const TRANSLATED: Translated[] = [
  { source: 'transform, pcre: (?P<name> named group', pattern: '/users/(?P<id>\\d+)', js: '/users/(?<id>\\d+)', matches: ['/users/42'], misses: ['/users/x'] },
  { source: 'transform: (?<name> named group', pattern: '/u/(?<id>\\d+)', js: '/u/(?<id>\\d+)', matches: ['/u/1'] },
  { source: 'rust, pcre: \\A and \\z anchors', pattern: '\\A/exact\\z', js: '^/exact$', matches: ['/exact'], misses: ['/exact/more'] },
  { source: 'rust: \\z anywhere means end of the path', pattern: '/a(\\z|/b)', js: '/a($|/b)', matches: ['/a', '/a/b'], misses: ['/ax'] },
  { source: 'rust: (?i) runs to the end of its group', pattern: '(?i)/Foo', js: '(?i:/Foo)', matches: ['/FOO', '/foo'] },
  { source: 'rust: (?i) covers the later alternatives of its group', pattern: '/a(?i)b|c', js: '/a(?i:b)|(?i:c)', matches: ['/aB', 'C'], misses: ['/A'] },
  { source: 'rust: (?i) inside a group ends with it', pattern: '/(x(?i)y)z', js: '/(x(?i:y))z', matches: ['/xYz'], misses: ['/xyZ'] },
  { source: 'rust: (?flags:...) groups', pattern: '/(?i:ab)c', js: '/(?i:ab)c', matches: ['/ABc'], misses: ['/abC'] },
  { source: 'rust: \\A under (?m) is still the start of the text', pattern: '(?m)/a\\A', js: '(?m:/a(?<![\\s\\S]))', misses: ['/a'] },
  { source: 'rust, pcre: a leading ] in a class is literal', pattern: '/[]a]+', js: '/[\\]a]+', matches: ['/]a]'] },
  { source: 'rust: [[:alpha:]] is ASCII', pattern: '/[[:alpha:][:digit:]_]+', js: '/[A-Za-z0-9_]+', matches: ['/ab_9'], misses: ['/-'] },
  { source: 'rust: \\x{...} escapes', pattern: '/\\x{41}\\x42', js: '/\\u0041\\u0042', matches: ['/AB'] },
  { source: 'rust: \\a is the bell character', pattern: '/\\a', js: '/\\x07' },
  { source: 'rust: lazy quantifiers', pattern: '/a{2,3}?b+?', js: '/a{2,3}?b+?', matches: ['/aab'] },
  { source: 'rust: escaped punctuation is literal', pattern: '/a\\.b\\-c\\/d', js: '/a\\.b\\-c\\/d', matches: ['/a.b-c/d'], misses: ['/axb-c/d'] }
]

const REFUSED: Refused[] = [
  { source: 'rust: possessive quantifiers', pattern: '/a*+', refused: /^possessive quantifier '\*\+' at offset 2/ },
  { source: 'rust: possessive quantifiers', pattern: '/a++b', refused: /^possessive quantifier '\+\+'/ },
  { source: 'rust: possessive quantifiers', pattern: '/a?+', refused: /^possessive quantifier '\?\+'/ },
  { source: 'rust: possessive quantifiers', pattern: '/a{2}+', refused: /^possessive quantifier '\{2\}\+'/ },
  { source: 'rust: atomic groups', pattern: '/(?>a|ab)c', refused: /^atomic group '\(\?>' at offset 1/ },
  { source: 'rust: \\G', pattern: '\\G/a', refused: /^\\G \(start-of-match anchor\)/ },
  { source: 'rust: recursion', pattern: '/(a(?R)?b)', refused: /^recursion '\(\?R\)'/ },
  { source: 'rust: recursion', pattern: '/(a(?1)?b)', refused: /^recursion '\(\?1\)'/ },
  { source: 'rust: subroutine calls', pattern: '/(?P>n)', refused: /^subroutine call/ },
  { source: 'rust: conditionals', pattern: '/(a)?(?(1)b|c)', refused: /^conditional group/ },
  { source: 'rust: \\K', pattern: '/a\\Kb', refused: /^\\K \(match reset\)/ },
  { source: 'rust: \\Z', pattern: '/a\\Z', refused: /^\\Z \(use \\z or \$\)/ },
  { source: 'rust: lookahead', pattern: '/a(?=b)', refused: /^lookahead '\(\?='/ },
  { source: 'rust: lookahead', pattern: '/a(?!b)', refused: /^lookahead '\(\?!'/ },
  { source: 'rust: lookbehind', pattern: '/(?<=a)b', refused: /^lookbehind '\(\?<='/ },
  { source: 'rust: backreferences', pattern: '/(a)\\1', refused: /^backreference \\1/ },
  { source: 'rust: backreferences', pattern: '/(?P<n>a)(?P=n)', refused: /^named backreference/ },
  { source: 'rust: backreferences', pattern: '/(?<n>a)\\k<n>', refused: /^\\k \(named backreference\)/ },
  { source: 'rust: Unicode classes (JavaScript needs the u flag)', pattern: '/\\p{L}+', refused: /^\\p \(Unicode property class\)/ },
  { source: 'rust: inline flags other than i, m, s', pattern: '(?x)/a b', refused: /^inline flag 'x'/ },
  { source: 'rust: inline flags other than i, m, s', pattern: '(?U)/a+', refused: /^inline flag 'U'/ },
  { source: 'rust: comments', pattern: '/a(?#note)', refused: /^comment group/ },
  { source: 'pcre: branch reset', pattern: '/(?|a|b)', refused: /^branch reset group/ },
  { source: 'rust: nested classes', pattern: '/[[a]]', refused: /^nested character class/ },
  { source: 'rust: class set operations', pattern: '/[a-z&&[^x]]', refused: /^character class set operation '&&'/ },
  { source: 'rust: negated POSIX classes', pattern: '/[[:^alpha:]]', refused: /^negated POSIX class/ },
  { source: 'rust: a { that is not a repetition', pattern: '/a{b}', refused: /^literal '\{' \(escape it as \\\{\)/ },
  { source: 'rust, pcre: unknown letter escapes', pattern: '/\\y', refused: /^unknown escape \\y/ },
  { source: 'rust: \\Q...\\E quoting', pattern: '/\\Q.\\E', refused: /^\\Q\.\.\.\\E \(quoting\)/ },
  { source: 'rust: \\h', pattern: '/\\h', refused: /^\\h \(horizontal space\)/ },
  { source: 'rust: octal', pattern: '/\\0', refused: /^octal escape/ },
  { source: 'pcre: quoted group names', pattern: "/(?'n'a)", refused: /^quoted group name/ },
  { source: 'rust: an unterminated class', pattern: '/[a', refused: /^unterminated character class opened at offset 1$/ },
  { source: 'validate: what no engine compiles', pattern: '/users/(foo', refused: /^unterminated group$/ },
  { source: 'validate: what no engine compiles', pattern: '/a)', refused: /^unmatched '\)'$/ },
  { source: 'validate: what no engine compiles', pattern: '/(*a)', refused: /^nothing to repeat$/ }
]

t.test('translated: the JavaScript source, and what it matches as Kong anchors it', async (t) => {
  for (const row of TRANSLATED) {
    const label = `${row.source}: ${row.pattern}`
    t.same(translateRegex(row.pattern), { source: row.js, error: null }, label)
    const re = compileRouteRegex(row.pattern, '^', '')
    if (typeof re === 'string') throw new Error(`${label}: ${re}`)
    for (const s of row.matches ?? []) t.ok(re.test(s), `${label} matches ${s}`)
    for (const s of row.misses ?? []) t.notOk(re.test(s), `${label} does not match ${s}`)
  }
})

t.test('refused: the construct named, never a JavaScript SyntaxError message', async (t) => {
  for (const row of REFUSED) {
    const compiled = compileRouteRegex(row.pattern, '^', 'y')
    t.type(compiled, 'string', `${row.source}: ${row.pattern} is refused`)
    t.match(compiled, row.refused, `${row.source}: ${row.pattern}`)
    t.notMatch(String(compiled), /Invalid regular expression/, `${row.pattern}: no JavaScript message`)
  }
})

t.test('the config names the JSON path and the construct', async (t) => {
  const issues = issuesOf(doc({ routes: [{ paths: ['/ok', '~/a*+'], headers: { 'x-a': ['~*(?>x)', 'plain'] } }] }))
  t.same(issues, [
    { path: 'routes[0].headers.x-a[0]', message: "invalid regex: '(?>x)' (atomic group '(?>' at offset 0 is not supported by Kong's router)" },
    { path: 'routes[0].paths[1]', message: "invalid regex: '/a*+' (possessive quantifier '*+' at offset 2 is not supported by Kong's router)" }
  ])
})

t.test('the router compiles translated regex paths; named groups survive for whoever reads them', async (t) => {
  const router = new Router(entriesOf([
    makeRoute('named', { paths: ['~/users/(?P<id>\\d+)\\z'] }),
    makeRoute('anchored', { paths: ['~\\A/files/[[:alnum:]]+$'] })
  ]))
  t.equal(router.find('GET', undefined, '/users/42', {})?.value, 'named')
  t.equal(router.matchedLength, 9)
  t.equal(router.find('GET', undefined, '/users/42/x', {}), null, '\\z ends the path')
  t.equal(router.find('GET', undefined, '/files/abc9', {})?.value, 'anchored')
  t.equal(router.find('GET', undefined, '/files/a-b', {}), null)
  const re = compileRouteRegex('/users/(?P<id>\\d+)', '^', '')
  t.equal(typeof re === 'string' ? null : re.exec('/users/7')?.groups?.id, '7')
  let error: unknown = null
  try {
    t.fail(`built: ${String(new Router(entriesOf([makeRoute('bad', { paths: ['~/a(?=b)'] })])))}`)
  } catch (err) {
    error = err
  }
  if (!(error instanceof ConfigError)) throw new Error('expected a ConfigError')
  t.equal(error.issues[0].path, 'routes[bad].paths[0]')
  t.match(error.issues[0].message, /^invalid regex: '\/a\(\?=b\)' \(lookahead '\(\?=' at offset 2/)
})

t.test('any pattern: a RegExp or a reason, never a thrown error or a JavaScript message', async (t) => {
  const piece = fc.constantFrom('\\', '(', ')', '(?', '(?P<n>', '(?<', '[', ']', '[:alpha:]', '{', '}', '{2,3}',
    '*', '+', '?', '|', '^', '$', 'a', '/', '-', ':', 'i', 'm', 'x', 'A', 'z', 'Z', 'p', '1', '&&', '#', '=', '!', '>')
  fc.assert(fc.property(fc.array(piece, { maxLength: 24 }).map((p) => p.join('')), (pattern) => {
    const compiled = compileRouteRegex(pattern, '^', 'y')
    return compiled instanceof RegExp || !compiled.includes('Invalid regular expression')
  }), { numRuns: 3000 })
  t.pass('3000 patterns')
})
