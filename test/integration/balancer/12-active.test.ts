// Active health checks through the real gateway, after Kong's
// spec/02-integration/05-proxy/10-balancer/01-healthchecks_spec.lua ("perform active health checks"):
// http probes to http_path (with the configured headers) take a failing target out and bring it back once
// it answers again, without any client traffic; tcp probes follow a port that goes down and comes back;
// https probes verify the target's certificate against the gateway's trust store unless
// https_verify_certificate is off; and the probes run once per gateway, not once per worker. One gateway
// with two workers, one upstream per case.

import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGateway } from '../../helpers/gateway.ts'
import { healthOf, PROBE_PATH, startHealthTarget, tally, until, type HealthTarget } from '../../helpers/health-targets.ts'
import { makeLeaf, makeRootCa, startTlsUpstream, type TlsUpstream } from '../../helpers/tls-certs.ts'

const names = ['a', 'b', 'c', 'pace', 'mixed', 'other']
const started = await Promise.all(names.map(async (name) => await startHealthTarget(name)))
const T: Record<string, HealthTarget> = Object.fromEntries(started.map((target) => [target.name, target]))
t.teardown(async () => { await Promise.all(started.map(async (target) => await target.close())) })

const root = await makeRootCa()
const [trustedLeaf, selfSigned] = await Promise.all([makeLeaf(root), makeLeaf(null)])
const tls: Record<string, TlsUpstream> = {
  trusted: await startTlsUpstream(trustedLeaf),
  self: await startTlsUpstream(selfSigned),
  noverify: await startTlsUpstream(selfSigned)
}
t.teardown(async () => { await Promise.all(Object.values(tls).map(async (server) => await server.close())) })
const dir = await mkdtemp(join(tmpdir(), 'tollgate-active-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const caFile = join(dir, 'ca.pem')
await writeFile(caFile, root.pem)

const FAST = { healthy: { interval: 0.1, successes: 2 }, unhealthy: { interval: 0.1, http_failures: 2, tcp_failures: 1, timeouts: 1 } }

function upstream (name: string, active: Record<string, unknown>, targets: readonly string[]): Record<string, unknown> {
  return { name, healthchecks: { active: { http_path: PROBE_PATH, ...FAST, ...active } }, targets: targets.map((target) => ({ target })) }
}

const config = {
  upstreams: [
    upstream('http', { headers: { 'x-probe': ['yes', 'twice'] } }, [T.a.target, T.b.target]),
    upstream('tcp', { type: 'tcp', healthy: { interval: 0.1, successes: 1 } }, [T.c.target]),
    upstream('pace', { healthy: { interval: 0.2, successes: 1 }, unhealthy: { interval: 0 } }, [T.pace.target]),
    {
      name: 'mixed',
      healthchecks: {
        active: { http_path: PROBE_PATH, healthy: { interval: 0, successes: 1 }, unhealthy: { interval: 0.1 } },
        passive: { unhealthy: { http_failures: 1 } }
      },
      targets: [{ target: T.mixed.target }, { target: T.other.target }]
    },
    upstream('tls-trusted', { type: 'https' }, [`127.0.0.1:${tls.trusted.port}`]),
    upstream('tls-self', { type: 'https' }, [`127.0.0.1:${tls.self.port}`]),
    upstream('tls-noverify', { type: 'https', https_verify_certificate: false }, [`127.0.0.1:${tls.noverify.port}`]),
  ],
  services: [
    { name: 'http', host: 'http', port: 80, protocol: 'http', retries: 0, routes: [{ name: 'http', paths: ['/http'] }] },
    { name: 'mixed', host: 'mixed', port: 80, protocol: 'http', retries: 0, routes: [{ name: 'mixed', paths: ['/mixed'] }] }
  ]
}
const gw = await startGateway(config, { settings: { worker_processes: 2 }, env: { NODE_EXTRA_CA_CERTS: caFile } })
t.teardown(() => gw.stop())

async function healthIs (upstreamName: string, target: string, health: string, ms = 5000): Promise<boolean> {
  return await until(async () => (await healthOf(gw.adminUrl, upstreamName))[target]?.health === health, ms)
}

t.test('http probes take a failing target out and bring it back when it recovers', async (t) => {
  t.ok(await until(() => T.a.probes.length > 0 && T.b.probes.length > 0), 'both targets probed')
  // lua-resty-healthcheck probe_http: Host is host_header or the target's host, without the port
  t.match(T.a.probes[0].headers, { host: '127.0.0.1', 'x-probe': 'yes, twice' }, 'Host and the configured headers')
  T.a.probeStatus = 500
  t.ok(await healthIs('http', T.a.target, 'UNHEALTHY'), 'out after http_failures failed probes')
  const hits = T.a.hits
  const seen = await tally(`${gw.proxyUrl}/http`, 8)
  t.equal(seen.b, 8, 'no traffic to the unhealthy target')
  t.equal(T.a.hits, hits)
  T.a.probeStatus = 200
  t.ok(await healthIs('http', T.a.target, 'HEALTHY'), 'back after healthy.successes probes, with no client traffic')
  const after = await tally(`${gw.proxyUrl}/http`, 8)
  t.ok((after.a ?? 0) > 0, 'and in rotation again')
})

t.test('taken out by passive checks, brought back by active probes of unhealthy targets', async (t) => {
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(T.mixed.probes.length, 0, 'healthy targets are not probed (healthy.interval 0)')
  // the probes of the unhealthy round (every 0.1 s) must not bring it back while the requests are counted,
  // however slowly a loaded machine sends them: they get a status that is neither healthy nor counted
  T.mixed.probeStatus = 500
  T.mixed.status = 500
  const seen = await tally(`${gw.proxyUrl}/mixed`, 4)
  t.same(seen, { mixed: 1, other: 3 }, 'one 500 takes it out')
  const before = T.mixed.probes.length
  T.mixed.status = 200
  T.mixed.probeStatus = 200
  t.ok(await until(() => T.mixed.probes.length > before), 'probed while unhealthy')
  t.ok(await healthIs('mixed', T.mixed.target, 'HEALTHY'), 'back after healthy.successes probe')
  const after = await tally(`${gw.proxyUrl}/mixed`, 6)
  t.ok((after.mixed ?? 0) > 0, 'and in rotation')
})

t.test('tcp probes follow a port that goes down and comes back', async (t) => {
  t.ok(await healthIs('tcp', T.c.target, 'HEALTHY'))
  await T.c.down()
  t.ok(await healthIs('tcp', T.c.target, 'UNHEALTHY'), 'a refused connection is a tcp failure')
  await T.c.up()
  t.ok(await healthIs('tcp', T.c.target, 'HEALTHY'), 'a connection is a success')
  t.equal(T.c.probes.length, 0, 'a tcp probe sends no request')
})

t.test('https probes: the certificate is verified unless https_verify_certificate is off', async (t) => {
  t.ok(await until(() => tls.trusted.requests.some((r) => r.url === PROBE_PATH)), 'a trusted certificate: probed over TLS')
  t.ok(await until(() => tls.noverify.requests.some((r) => r.url === PROBE_PATH)), 'verification off: a self-signed certificate is probed')
  t.ok(await healthIs('tls-self', `127.0.0.1:${tls.self.port}`, 'UNHEALTHY'), 'verification on: a self-signed certificate is a failed probe')
  const health = { ...(await healthOf(gw.adminUrl, 'tls-trusted')), ...(await healthOf(gw.adminUrl, 'tls-noverify')) }
  t.equal(health[`127.0.0.1:${tls.trusted.port}`].health, 'HEALTHY')
  t.equal(health[`127.0.0.1:${tls.noverify.port}`].health, 'HEALTHY')
  t.equal(tls.self.requests.length, 0, 'no request after a failed handshake')
})

t.test('the probes run once per gateway, not once per worker', async (t) => {
  // healthy.interval 0.2 s: probed by one prober, 6 probes span at least 5 intervals; by one per worker
  // (two here) they would come in pairs and span about half that
  t.ok(await until(() => T.pace.probes.length >= 6, 5000))
  const span = T.pace.probes[5].at - T.pace.probes[0].at
  t.ok(span >= 5 * 200 * 0.8, `6 probes over ${span} ms`)
  // (no bound on single gaps: on a loaded machine one late timer makes a short gap to the next on-time one)
})
