// Short-lived tokens (4 s JWTs, so the upstream's copy says when it expires) under steady traffic over two
// workers: the upstream never receives an expired token, and renewal happens ahead of expiry in the
// background (the cache's renew-ahead window is min(30 s, half the lifetime)): the new token replaces the
// old one while the old one is still valid, and the IdP sees about one call per half lifetime, not one
// per request. The feature is time, so this test runs for a fixed span of traffic.

import t from 'tap'
import { clientBasic, delay, jwtClaims, ROUTE, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'

const TTL_S = 4
// renewal every half lifetime (2 s) makes about three switches in 7 s: the checks need two, and the
// bound on IdP calls still fails a cache that fetches per request (and the ahead check one that waits for exp)
const RUN_MS = 7_000
const PACE_MS = 50

interface Seen { token: string, exp: number, at: number }

t.test('the upstream never gets an expired token and renewals happen ahead, in the background', async (t) => {
  const stack = await startOidcStack(t, {
    idp: { accessTokenFormat: 'jwt', accessTokenTtl: TTL_S },
    settings: { worker_processes: 2 }
  })
  const { idp } = stack
  const authorization = clientBasic(idp.clients.secret)

  const seen: Seen[] = []
  const statuses = new Map<number, number>()
  const end = Date.now() + RUN_MS
  while (Date.now() < end) {
    const reply = await stack.proxy(ROUTE, { headers: { authorization } })
    const at = Date.now() // the upstream received the token before this
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
    const token = reply.status === 200 ? upstreamBearer(reply) : null
    if (token !== null) seen.push({ token, exp: jwtClaims(token).exp as number, at })
    await delay(PACE_MS)
  }

  t.same([...statuses.keys()], [200], `every request answered 200 (${seen.length} requests)`)
  t.ok(seen.length >= 50, 'enough traffic to span the lifetimes')
  const expired = seen.filter((s) => s.exp * 1000 <= s.at)
  t.same(expired, [], 'no request carried a token past its exp')

  const switches: Array<{ from: Seen, to: Seen }> = []
  for (let i = 1; i < seen.length; i++) if (seen[i].token !== seen[i - 1].token) switches.push({ from: seen[i - 1], to: seen[i] })
  t.ok(switches.length >= 2, `the token was renewed (${switches.length} times)`)
  for (const { from, to } of switches) {
    // Refetching only on expiry would switch at the old token's exp; ahead means well before it.
    t.ok(to.at < from.exp * 1000 - 500, `renewed ${from.exp * 1000 - to.at} ms before the old token's exp`)
  }
  const distinct = new Set(seen.map((s) => s.token)).size
  const maxCalls = 1 + Math.ceil(RUN_MS / (TTL_S * 1000 * 0.35))
  t.ok(idp.tokenRequests >= 3 && idp.tokenRequests <= maxCalls,
    `${idp.tokenRequests} token requests for ${seen.length} requests over ${RUN_MS} ms (at most ${maxCalls})`)
  t.ok(distinct === idp.tokenRequests || distinct === idp.tokenRequests - 1, 'each renewed token was put to use')
})
