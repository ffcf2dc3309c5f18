import t from 'tap'
import { escapePath } from '../../../src/router/escape-path.ts'
import { normalizePath } from '../../../src/router/normalize-path.ts'

// kong/tools/uri.lua escape: ESCAPE_PATTERN `[^!#$&'()*+,/:;=?@[\]A-Z\d\-_.~%]` (case-insensitive), each
// match replaced by %XX upper-case; kong/runloop/handler.lua sets `var.upstream_uri = escape(match_t.upstream_uri)`.
t.test('characters outside Kong\'s safe set are percent-encoded, upper-case hex', async (t) => {
  const cases: Array<[string, string]> = [
    ['/a b', '/a%20b'],
    ['/"<>\\^`{|}', '/%22%3C%3E%5C%5E%60%7B%7C%7D'],
    ['/\u0000\u001f\u007f', '/%00%1F%7F'],
    ['/café', '/caf%C3%A9'],
    ['/€/😀', '/%E2%82%AC/%F0%9F%98%80']
  ]
  for (const [input, expected] of cases) t.equal(escapePath(input), expected, JSON.stringify(input))
})

t.test('the safe set comes back as the same string', async (t) => {
  const safe = "/!#$&'()*+,/:;=?@[]-_.~%2F%20AZaz09"
  t.equal(escapePath(safe), safe)
  t.equal(escapePath('/'), '/')
})

// spec/02-integration/05-proxy/02-router_spec.lua "re-encode special characters in request uri when
// proxying to the upstream": /anything/world/cat%20and%20dog reaches the upstream unchanged
t.test('normalise then escape gives back the path as sent, up to Kong\'s normalisation', async (t) => {
  const cases: Array<[sent: string, upstream: string]> = [
    ['/anything/world/cat%20and%20dog', '/anything/world/cat%20and%20dog'],
    ['/a%2fb%3F', '/a%2Fb%3F'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/%7euser/%41', '/~user/A'],
    ['/%ff%c3', '/%FF%C3'],
    ['/a%20b/../c%25', '/c%25']
  ]
  for (const [sent, upstream] of cases) t.equal(escapePath(normalizePath(sent)!), upstream, sent)
})
