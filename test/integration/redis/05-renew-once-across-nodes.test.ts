// Renew-ahead once across the cluster: two gateway nodes sharing one Redis, short-lived tokens (4 s JWTs)
// and steady traffic alternating between the nodes. Each node renews its first-level entry ahead of expiry
// (renew-ahead window min(30 s, half the lifetime), as test/plugins/openid-connect/27-expiry-renewal.test.ts
// shows for one node); with the Redis level the renewing node asks Redis for a token newer than the one it
// renews before the IdP, one node at a time (the lock), so the nodes renew onto the same tokens and the IdP
// sees about one call per half lifetime for the whole cluster, not one per node.

import t, { type Test } from 'tap'
import { send } from '../../helpers/gateway.ts'
import { startIdp } from '../../helpers/idp.ts'
import { clientBasic, delay, howToConfig, jwtClaims, oidcService, upstreamBearer } from '../../helpers/oidc-stack.ts'
import { redisOrSkip, startRedis } from '../../helpers/redis-server.ts'
import { startGatewayNodes, upstreamFor } from '../../helpers/redis-gateway-nodes.ts'

const TTL_S = 4
const RUN_MS = 9000
const PACE_MS = 40

interface Seen { readonly token: string, readonly exp: number, readonly at: number, readonly node: number }

t.test('two nodes renew onto the same tokens, one IdP call per renewal for both', async (t: Test) => {
  if (!redisOrSkip(t)) return
  const [redis, upstream] = await Promise.all([startRedis(t), upstreamFor(t)])
  const idp = await startIdp({ accessTokenFormat: 'jwt', accessTokenTtl: TTL_S })
  t.teardown(() => idp.close())
  const config = {
    services: [oidcService('renew', upstream.url, '/renew', {
      ...howToConfig(idp),
      cluster_cache_strategy: 'redis',
      cluster_cache_items: ['tokens'],
      cluster_cache_redis: { host: '127.0.0.1', port: redis.port }
    })]
  }
  const nodes = await startGatewayNodes(t, 2, config)
  const headers = { authorization: clientBasic(idp.clients.secret) }

  const seen: Seen[] = []
  const statuses = new Set<number>()
  const end = Date.now() + RUN_MS
  for (let i = 0; Date.now() < end; i++) {
    const node = i % 2
    const reply = await send(`${nodes[node].proxyUrl}/renew`, { headers })
    statuses.add(reply.status)
    const token = reply.status === 200 ? upstreamBearer(reply) : null
    if (token !== null) {
      seen.push({ token, exp: jwtClaims(token).exp as number, at: Date.now(), node })
    }
    await delay(PACE_MS)
  }

  t.same([...statuses], [200], `every request answered 200 (${seen.length} requests)`)
  t.same(seen.filter((s) => s.exp * 1000 <= s.at), [], 'no request carried a token past its exp')
  const tokens = [...new Set(seen.map((s) => s.token))]
  t.ok(tokens.length >= 3, `the token was renewed (${tokens.length} tokens)`)
  // the last token may have been taken up by one node only when the run stopped
  const onBoth = tokens.filter((token) => seen.some((s) => s.token === token && s.node === 0) && seen.some((s) => s.token === token && s.node === 1))
  t.ok(onBoth.length >= tokens.length - 1, `${onBoth.length} of ${tokens.length} tokens carried by both nodes`)
  t.equal(idp.tokenRequests, tokens.length, 'one IdP call per token, whichever node renewed')
  // one node alone renews about once per half lifetime (27-expiry-renewal); two unshared nodes twice as often
  const maxCalls = 1 + Math.ceil(RUN_MS / (TTL_S * 1000 * 0.35))
  t.ok(idp.tokenRequests <= maxCalls, `${idp.tokenRequests} token requests for both nodes over ${RUN_MS} ms (at most ${maxCalls})`)
})
