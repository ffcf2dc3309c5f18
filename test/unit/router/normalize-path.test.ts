import t from 'tap'
import { normalizePath } from '../../../src/router/normalize-path.ts'

t.test('paths that need no change come back as the same string', async (t) => {
  for (const path of ['/', '/foo', '/foo/bar/', '/a.b/c..d/.e/..f/', '/%2F%3A%20', '/caf%C3%A9', '/x?y', '/...']) {
    t.equal(normalizePath(path), path, path)
  }
})

t.test('percent-encoding: hex upper-cased, unreserved characters decoded, others kept encoded', async (t) => {
  const cases: Array<[string, string]> = [
    ['/%7e', '/~'],
    ['/%7Euser', '/~user'],
    ['/%41%5a%61%7A%30%39', '/AZaz09'],
    ['/%2D%2e%5F', '/-._'],
    ['/a%2fb', '/a%2Fb'],
    ['/a%2Fb', '/a%2Fb'],
    ['/%3f%23', '/%3F%23'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/%20', '/%20'],
    ['/%25', '/%25'],
    ['/%2541', '/%2541']
  ]
  for (const [input, expected] of cases) t.equal(normalizePath(input), expected, input)
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
  for (const path of ['/a/b/c/./../../g', '/a%2fb/%7e', '//x//..//y', '/a/.%2E/b/', '/caf%c3%a9/./x']) {
    const once = normalizePath(path)
    t.ok(once)
    t.equal(normalizePath(once!), once, path)
  }
})
