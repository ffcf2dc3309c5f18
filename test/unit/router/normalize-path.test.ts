import t from 'tap'
import { normalizePath } from '../../../src/router/normalize-path.ts'

t.test('paths that need no change come back as the same string', async (t) => {
  for (const path of ['/', '/foo', '/foo/bar/', '/a.b/c..d/.e/..f/', '/%2F%3A%3F%23%25', '/x?y', '/...', '/a b']) {
    t.equal(normalizePath(path), path, path)
  }
})

// kong/tools/uri.lua normalize: `%XX` of a reserved character (RESERVED_CHARS `!*'();:@&=+$,/?%#[]`) is
// kept, hex upper-cased; every other one is decoded, unreserved and "other" characters alike (normalize_decode).
t.test('percent-encoding: reserved characters stay encoded (hex upper-cased), all others are decoded', async (t) => {
  const cases: Array<[input: string, expected: string, source: string]> = [
    ['/%7e', '/~', 'unreserved'],
    ['/%7Euser', '/~user', 'unreserved'],
    ['/%41%5a%61%7A%30%39', '/AZaz09', 'unreserved'],
    ['/%2D%2e%5F', '/-._', 'unreserved'],
    ['/%20', '/ ', 'other: a space (spec/02-integration/05-proxy/02-router_spec.lua, regex path with a space)'],
    ['/a%20b%20c', '/a b c', 'other'],
    ['/%22%3C%3E%5C%5E%60%7B%7C%7D', '/"<>\\^`{|}', 'other'],
    ['/%00%1f%7F', '/\u0000\u001f\u007f', 'other: control characters'],
    ['/caf%c3%a9', '/café', 'other: UTF-8 bytes (decoded as one character)'],
    ['/%E2%82%AC/%F0%9F%98%80', '/€/😀', 'other: 3- and 4-byte UTF-8'],
    ['/a%2fb', '/a%2Fb', 'reserved: /'],
    ['/a%2Fb', '/a%2Fb', 'reserved: /'],
    ['/%3f%23', '/%3F%23', 'reserved: ? #'],
    ['/%21%2a%27%28%29%3b%3a%40%26%3d%2b%24%2c%5b%5d', '/%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%5B%5D', 'reserved: the rest'],
    ['/%25', '/%25', 'reserved: %'],
    ['/%2541', '/%2541', 'reserved: % (never decoded twice)'],
    // a byte that does not start or continue valid UTF-8 stays encoded: a string holds characters, not bytes
    ['/%ff', '/%FF', 'lone byte'],
    ['/%c3', '/%C3', 'truncated sequence'],
    ['/%c3%41', '/%C3A', 'bad continuation'],
    ['/%c0%af', '/%C0%AF', 'overlong'],
    ['/%ed%a0%80', '/%ED%A0%80', 'surrogate']
  ]
  for (const [input, expected, source] of cases) t.equal(normalizePath(input), expected, `${input} (${source})`)
})

t.test('dot segments are removed (RFC 3986 examples)', async (t) => {
  const cases: Array<[string, string]> = [
    ['/a/b/c/./../../g', '/a/g'],
    ['/a/b/c/../..', '/a/'],
    ['/a/b/c/../../..', '/'],
    ['/a/b/c/../../../g', '/g'],
    ['/a/b/c/./../../g/.', '/a/g/'],
    ['/.', '/'],
    ['/..', '/'],
    ['/../a', '/a'],
    ['/../../a', '/a'],
    ['/./a', '/a'],
    ['/a/.', '/a/'],
    ['/a/..', '/'],
    ['/a/../b/', '/b/'],
    ['/a/./b/./c', '/a/b/c'],
    ['/.../a', '/.../a'],
    ['/a/.b/..c/', '/a/.b/..c/']
  ]
  for (const [input, expected] of cases) t.equal(normalizePath(input), expected, input)
})

t.test('encoded dots are decoded first, so they form dot segments (as Kong)', async (t) => {
  t.equal(normalizePath('/a/%2e%2E/b'), '/b')
  t.equal(normalizePath('/a/%2e/b'), '/a/b')
  t.equal(normalizePath('/a/.%2e/b'), '/b')
})

t.test('duplicate slashes are merged, left to right as Kong does', async (t) => {
  const cases: Array<[string, string]> = [
    ['//', '/'],
    ['//foo', '/foo'],
    ['/foo//bar', '/foo/bar'],
    ['/foo///bar//', '/foo/bar/'],
    // Kong merges before it looks for the next dot segment, so '..' removes 'a' here
    ['/a//../b', '/b'],
    ['/a/b//../c', '/a/c']
  ]
  for (const [input, expected] of cases) t.equal(normalizePath(input), expected, input)
})

t.test('invalid paths are null', async (t) => {
  for (const path of ['', 'foo', '*', 'http://x/y', '/%', '/%4', '/%zz', '/%4g', '/a%2', '/ok/%G0', '/%7e%']) {
    t.equal(normalizePath(path), null, JSON.stringify(path))
  }
})

t.test('normalising is idempotent', async (t) => {
  for (const path of ['/a/b/c/./../../g', '/a%2fb/%7e', '//x//..//y', '/a/.%2E/b/', '/caf%c3%a9/./x', '/a%20b/%25']) {
    const once = normalizePath(path)
    t.ok(once)
    t.equal(normalizePath(once!), once, path)
  }
})
