// Three gateway nodes (three processes) on one standalone Redis, both plugins that share state through it:
//   - rate-limiting policy redis, sync_rate -1 (Kong's default): of a burst spread over the three nodes,
//     exactly `limit` requests pass, each seeing its own count (one atomic script per request and period)
//   - openid-connect's cluster cache: 60 cold requests for one credential over the three nodes make exactly
//     one IdP call (the Redis lock: one node fetches, the others wait for its value) and carry one token.
// Two nodes are tested in depth by test/plugins/rate-limiting/06-redis-nodes.test.ts and
// test/plugins/openid-connect/56-cluster-cache-nodes.test.ts; this holds the same with a third.

import t, { type Test } from 'tap'
import { upstreamBearer } from '../../helpers/oidc-stack.ts'
import { redisOrSkip, redisReply, startRedis } from '../../helpers/redis-server.ts'
import { startTokenIdp } from '../../helpers/token-idp.ts'
import { awayFromDayEnd, limitedRoute, spread, startGatewayNodes, statusCounts, upstreamFor } from '../../helpers/redis-gateway-nodes.ts'

const LIMIT = 30
const BURST = 90

t.test('three gateway nodes sharing one Redis', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const [redis, upstream, token] = await Promise.all([startRedis(t), upstreamFor(t), startTokenIdp(t)])
  const record = { host: '127.0.0.1', port: redis.port }
  const config = {
    services: [
      { name: 'backend', url: upstream.url, routes: [limitedRoute('exact', record, { day: LIMIT })] },
      token.service('cold', upstream.url, record)
    ]
  }
  const nodes = await startGatewayNodes(t, 3, config)
  await token.discovered(nodes)
  await awayFromDayEnd()

  await t.test(`rate-limiting sync_rate -1: of ${BURST} concurrent requests over 3 nodes, exactly ${LIMIT} pass`, async (t) => {
    const before = upstream.requests.length
    const replies = await spread(nodes, '/exact', { 'x-key': 'three' }, BURST)
    t.strictSame(statusCounts(replies), { 200: LIMIT, 429: BURST - LIMIT })
    t.equal(upstream.requests.length - before, LIMIT, 'only those reached the upstream')
    const remaining = replies.filter((reply) => reply.status === 200).map((reply) => Number(reply.headers['x-ratelimit-remaining-day'])).sort((x, y) => x - y)
    t.strictSame(remaining, Array.from({ length: LIMIT }, (_, i) => i), 'each passing request saw its own count across the nodes')
    const keys = await redisReply(redis.port, ['KEYS', 'ratelimit:*:three:*:day']) as string[]
    t.equal(keys.length, 1, 'one counter')
    t.equal(String(await redisReply(redis.port, ['GET', keys[0]])), String(BURST), 'every request counted, refused ones too (as Kong)')
  })

  await t.test('openid-connect cluster cache: 60 cold requests over 3 nodes, one IdP call', async (t) => {
    const before = token.idp.tokenRequests
    // the IdP answers slowly, so every node's requests arrive while the first fetch is in flight
    token.tokens.delayMs = 600
    const replies = await spread(nodes, '/cold', { authorization: token.authorization }, 60)
    token.tokens.delayMs = 0
    t.strictSame(statusCounts(replies), { 200: 60 }, 'all 200')
    t.equal(token.idp.tokenRequests, before + 1, 'exactly one token request reached the IdP')
    t.equal(new Set(replies.map(upstreamBearer)).size, 1, 'every request carried the one token')
  })
})
