// Regression: 512 distinct long Host headers with many dots, against routes with wildcard hosts, grew a
// proxy worker's heap by about 333 MiB: the Host cache kept, for each raw header, arrays of every label
// suffix and prefix. The cache is now bounded by bytes as well as entries and never keeps a header longer
// than a host name can be. Asserted on the cache's own accounting, not on process memory.

import t from 'tap'
import { HOST_CACHE_BYTES, HostCache, MAX_HOST_HEADER_LENGTH } from '../../../src/router/host-match.ts'
import { Router } from '../../../src/router/router.ts'
import { entriesOf, makeRoute } from './route-fixture.ts'

function wildcardRouter (cache: HostCache): Router<string> {
  return new Router(entriesOf([
    makeRoute('suffix', { hosts: ['*.example.com'], paths: ['/'] }),
    makeRoute('prefix', { hosts: ['api.*'], paths: ['/'] }),
    makeRoute('exact', { hosts: ['www.example.org'] })
  ]), cache)
}

t.test('512 distinct ~64 KiB Host headers with many dots: no match, nothing cached, matching intact', async (t) => {
  const cache = new HostCache()
  const router = wildcardRouter(cache)
  const dots = 'a.'.repeat(32 * 1024)
  let matched = 0
  for (let i = 0; i < 512; i++) {
    // ends with a wildcard's suffix and starts with another's prefix: only the length rules it out
    const host = `api.${i}.${dots}example.com:${8000 + i}`
    if (router.find('GET', host, '/', {}) !== null) matched++
  }
  t.equal(matched, 0, 'a Host longer than a DNS name matches no host rule')
  t.equal(cache.size, 0, 'none of them was cached')
  t.equal(cache.bytes, 0)
  t.equal(router.find('GET', 'x.example.com', '/', {})?.value, 'suffix')
  t.equal(router.find('GET', 'api.internal:81', '/', {})?.value, 'prefix')
  t.equal(router.find('GET', 'www.example.org:80', '/', {})?.value, 'exact')
})

t.test('512 distinct Host headers of the longest cacheable length: the cache stays in its byte budget', async (t) => {
  const cache = new HostCache()
  const router = wildcardRouter(cache)
  let over = 0
  let matched = 0
  let longest = 0
  for (let i = 0; i < 512; i++) {
    const name = `${i}.${'a.'.repeat(200)}`.slice(0, 253 - '.example.com'.length) + '.example.com'
    const host = `${name}:${10000 + i}`
    longest = Math.max(longest, host.length)
    if (router.find('GET', host, '/', {})?.value === 'suffix') matched++
    if (cache.bytes > HOST_CACHE_BYTES) over++
  }
  t.equal(longest, MAX_HOST_HEADER_LENGTH, 'as long as a cached Host header can be')
  t.equal(matched, 512, 'every one matches the wildcard')
  t.equal(over, 0, `never over HOST_CACHE_BYTES (${HOST_CACHE_BYTES})`)
  t.ok(cache.size > 0 && cache.size < 512, 'the byte budget evicted before the entry cap')
})
