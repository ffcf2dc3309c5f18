// Weighted round-robin through the real gateway, after Kong's spec/02-integration/05-proxy/10-balancer/
// 04-round-robin_spec.lua: a service whose host names an upstream is balanced over its targets, each
// target a real server on its own port. Kong's wheel (kong/runloop/balancer/round_robin.lua) gives each
// target exactly its weight's share over every turn, so with one worker and a request count that is a
// whole number of turns the counts are exact; with two workers each worker's wheel is exact on its own,
// and the totals are off by at most part of a turn per worker. A weight-0 target never gets a request.

import t, { type Test } from 'tap'
import { call } from '../admin/admin-helpers.ts'
import { expectedShares, offShares, sendMany } from '../../helpers/balancer-client.ts'
import { startGateway, type RunningGateway } from '../../helpers/gateway.ts'
import { startTargetServers, type TargetServers } from '../../helpers/target-servers.ts'

/** a whole number of turns of every wheel below (sizes 3 and 10) */
const REQUESTS = 1800

function balancedConfig (targets: TargetServers, weights: readonly number[]): Record<string, unknown> {
  return {
    _format_version: '3.0',
    upstreams: [{
      name: 'rr.upstream',
      targets: targets.servers.map((server, i) => ({ target: server.target, weight: weights[i] }))
    }],
    services: [{ name: 'lb', host: 'rr.upstream', routes: [{ name: 'lb', paths: ['/'] }] }]
  }
}

function weightsByName (targets: TargetServers, weights: readonly number[]): Record<string, number> {
  return Object.fromEntries(targets.servers.map((server, i) => [server.name, weights[i]]))
}

async function loadWeights (t: Test, gateway: RunningGateway, targets: TargetServers, weights: readonly number[]): Promise<void> {
  const reply = await call(gateway.adminUrl, 'POST', '/config', { body: balancedConfig(targets, weights) })
  t.equal(reply.status, 201, `weights ${weights.join('/')} loaded`)
}

/** Requests served per target, leaving out those that served none (as the tally of answers does). */
function served (targets: TargetServers): Record<string, number> {
  return Object.fromEntries(Object.entries(targets.counts()).filter(([, n]) => n > 0))
}

/** The wheel's size for `weights`: weight / gcd entries each (round_robin.lua afterHostUpdate). */
function wheelSize (weights: readonly number[]): number {
  const gcd = (a: number, b: number): number => b === 0 ? a : gcd(b, a % b)
  const divisor = weights.filter((w) => w > 0).reduce(gcd, 0)
  return weights.reduce((sum, w) => sum + w / divisor, 0)
}

const SCENARIOS: ReadonlyArray<{ readonly title: string, readonly weights: readonly number[] }> = [
  { title: 'equal weights: a third each', weights: [100, 100, 100] },
  { title: '100/50/0: two to one, and nothing for the weight-0 target', weights: [100, 50, 0] },
  { title: 'blue/green 90/10', weights: [90, 10, 0] }
]
/** with two workers: the equal and the blue/green split (the file stays fast) */
const TWO_WORKER_SCENARIOS = [SCENARIOS[0], SCENARIOS[2]]

for (const workers of [1, 2]) {
  t.test(`${workers} worker(s)`, async (t) => {
    const targets = await startTargetServers(['a', 'b', 'c'])
    t.teardown(() => targets.close())
    const gateway = await startGateway(balancedConfig(targets, [100, 100, 100]), { settings: { worker_processes: workers } })
    t.teardown(() => gateway.stop())

    for (const scenario of workers === 1 ? SCENARIOS : TWO_WORKER_SCENARIOS) {
      t.test(scenario.title, async (t) => {
        await loadWeights(t, gateway, targets, scenario.weights)
        targets.reset()
        const answers = await sendMany(gateway.proxyUrl, REQUESTS)
        const expected = expectedShares(weightsByName(targets, scenario.weights), REQUESTS)
        // one worker: whole turns of one wheel, exact; each more worker: at most a turn's worth off
        const tolerance = workers === 1 ? 0 : workers * wheelSize(scenario.weights)
        t.strictSame(offShares(answers, expected, tolerance), [], `${REQUESTS} answers as the weights say: ${JSON.stringify(answers)}`)
        t.strictSame(served(targets), answers, 'each target served what it answered, nothing more')
        for (const [i, weight] of scenario.weights.entries()) {
          if (weight === 0) t.equal(targets.servers[i].served, 0, `weight-0 target ${targets.servers[i].name} got nothing`)
        }
      })
    }
  })
}
