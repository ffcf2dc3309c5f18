import t from 'tap'
import { upstreamPath } from '../../../src/router/path-join.ts'
import { DOCS_TABLE, KONG_V0_SPEC, KONG_V1_SPEC, describeCase, type PathCase } from './path-handling-cases.ts'

// A plain route path matches exactly its own length of the request path; a host route matches none.
function joined (c: PathCase): string {
  const matched = c.routePath === null ? 0 : c.routePath.length
  return upstreamPath(c.servicePath, c.request, matched, c.strip, c.handling)
}

t.test('Kong docs path_handling table, every row', async (t) => {
  t.equal(DOCS_TABLE.length, 16)
  for (const c of DOCS_TABLE) t.equal(joined(c), c.upstream, describeCase(c))
})

t.test('Kong router spec, v0 slash handling', async (t) => {
  for (const c of KONG_V0_SPEC) t.equal(joined(c), c.upstream, describeCase(c))
})

t.test('Kong 1.x spec, v1', async (t) => {
  for (const c of KONG_V1_SPEC) t.equal(joined(c), c.upstream, describeCase(c))
})

t.test('the brief examples', async (t) => {
  t.equal(upstreamPath('/s', '/r/x', 2, true, 'v0'), '/s/x')
  // Kong keeps the service path's trailing slash only when the request path has one
  t.equal(upstreamPath('/s/', '/r/', 3, true, 'v0'), '/s/')
  t.equal(upstreamPath('/s/', '/r', 2, true, 'v0'), '/s')
})

t.test('a null or empty service path is "/"', async (t) => {
  t.equal(upstreamPath(null, '/r/x', 2, true, 'v0'), '/x')
  t.equal(upstreamPath(null, '/r/x', 2, false, 'v0'), '/r/x')
  t.equal(upstreamPath('', '/r', 2, true, 'v0'), '/')
  t.equal(upstreamPath(null, '/r/x', 2, true, 'v1'), '/x')
})

t.test('a postfix starting with a dot segment loses it (sanitize_uri_postfix)', async (t) => {
  // route /foo matched /foo../bar: the rest "../bar" must not climb out of the service path
  t.equal(upstreamPath('/s', '/foo../bar', 4, true, 'v0'), '/s/bar')
  t.equal(upstreamPath('/s', '/foo./bar', 4, true, 'v0'), '/s/bar')
  t.equal(upstreamPath('/s', '/foo..', 4, true, 'v0'), '/s')
  t.equal(upstreamPath('/s', '/foo.', 4, true, 'v1'), '/s')
})

t.test('a regex match strips exactly what it matched', async (t) => {
  // ~/version/\d+/service on /version/1/service/path/to/resource (Kong docs strip_path example)
  t.equal(upstreamPath(null, '/version/1/service/path/to/resource', 18, true, 'v0'), '/path/to/resource')
})
