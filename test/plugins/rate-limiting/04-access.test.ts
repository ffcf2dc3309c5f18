// rate-limiting through the real gateway: two worker threads, a real upstream, many connections at once.
// After Kong's spec/03-plugins/23-rate-limiting/04-access_spec.lua: the X-RateLimit-*-<Period> and
// RateLimit-* headers on proxied answers, the refusal (429, {"message":"API rate limit exceeded"},
// Retry-After), limit_by ip and header (a missing header falls back to the ip), hide_client_headers;
// and what Kong's local policy does not promise: across workers, exactly `limit` requests pass.

import t, { type Test } from 'tap'
import { Agent } from 'node:http'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'

const HOUR_MS = 3_600_000

/** The hour windows are fixed: if this one ends within a minute, start in the next one. */
async function awayFromWindowEnd (): Promise<void> {
  const left = HOUR_MS - (Date.now() % HOUR_MS)
  if (left < 60_000) await new Promise((resolve) => setTimeout(resolve, left + 100))
}

t.test('rate-limiting, two workers', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      { name: 'by-ip', paths: ['/ip'], plugins: [{ name: 'rate-limiting', config: { hour: 25, limit_by: 'ip' } }] },
      { name: 'by-header', paths: ['/header'], plugins: [{ name: 'rate-limiting', config: { minute: 3, hour: 100, limit_by: 'header', header_name: 'X-App-Key' } }] },
      { name: 'hidden', paths: ['/hidden'], plugins: [{ name: 'rate-limiting', config: { hour: 1, limit_by: 'ip', hide_client_headers: true, error_code: 403, error_message: 'slow down' } }] },
    ]
  }, {}, { settings: { worker_processes: 2 } })
  await awayFromWindowEnd()

  t.test('limit_by ip: of 100 concurrent requests on 40 connections exactly 25 pass', async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 40 })
    t.teardown(() => agent.destroy())
    const before = upstream.requests.length
    const replies = await Promise.all(Array.from({ length: 100 }, () => send(`${gateway.proxyUrl}/ip`, { agent })))
    const passed = replies.filter((r) => r.status === 200)
    const refused = replies.filter((r) => r.status === 429)
    t.equal(passed.length, 25, 'exactly the limit passed')
    t.equal(refused.length, 75, 'every other one was refused')
    t.equal(upstream.requests.length - before, 25, 'and only those reached the upstream')
    const remaining = passed.map((r) => Number(r.headers['x-ratelimit-remaining-hour'])).sort((a, b) => a - b)
    t.strictSame(remaining, Array.from({ length: 25 }, (_, i) => i), 'each passing request saw its own count: remaining 24 down to 0')
    for (const reply of passed) {
      t.equal(reply.headers['x-ratelimit-limit-hour'], '25')
      t.equal(reply.headers['ratelimit-limit'], '25')
      t.equal(reply.headers['ratelimit-remaining'], reply.headers['x-ratelimit-remaining-hour'])
      t.ok(Number(reply.headers['ratelimit-reset']) > 0)
      t.equal(reply.headers['retry-after'], undefined, 'no Retry-After on a passing request')
    }
    checkRefusal(t, refused[0], '25')
  })

  t.test('limit_by header: each key has its own counter; no header falls back to the ip', async (t) => {
    const call = (key?: string): Promise<Reply> => send(`${gateway.proxyUrl}/header`, { headers: key === undefined ? {} : { 'x-app-key': key } })
    const statuses = async (key?: string): Promise<number[]> => {
      const out: number[] = []
      for (let i = 0; i < 4; i++) out.push((await call(key)).status)
      return out
    }
    t.strictSame(await statuses('alpha'), [200, 200, 200, 429], 'alpha: 3 a minute')
    t.strictSame(await statuses('beta'), [200, 200, 200, 429], 'beta counts on its own')
    t.strictSame(await statuses(), [200, 200, 200, 429], 'no header: counted by the ip')
    const reply = await call('alpha')
    t.equal(reply.headers['x-ratelimit-limit-minute'], '3')
    t.equal(reply.headers['x-ratelimit-remaining-minute'], '0')
    t.equal(reply.headers['x-ratelimit-limit-hour'], '100')
    t.equal(reply.headers['x-ratelimit-remaining-hour'], '97', 'the refused requests counted in no period')
    t.equal(reply.headers['ratelimit-limit'], '3', 'RateLimit-* from the minute, closest to running out')
    t.ok(Number(reply.headers['retry-after']) >= 1 && Number(reply.headers['retry-after']) <= 60, 'Retry-After within the minute')
  })

  t.test('hide_client_headers, error_code and error_message', async (t) => {
    const first = await send(`${gateway.proxyUrl}/hidden`)
    t.equal(first.status, 200)
    const second = await send(`${gateway.proxyUrl}/hidden`)
    t.equal(second.status, 403)
    t.equal(second.json().message, 'slow down')
    for (const reply of [first, second]) {
      t.notOk(Object.keys(reply.headers).some((name) => name.includes('ratelimit') || name === 'retry-after'), 'no rate-limit header')
    }
  })
})

function checkRefusal (t: Test, reply: Reply, limit: string): void {
  t.equal(reply.status, 429)
  // kong.response.error: Kong's error body (with request_id when that header is on, as every exit)
  t.equal(reply.json().message, 'API rate limit exceeded', "Kong's body")
  t.match(reply.headers['content-type'], /^application\/json/)
  t.equal(reply.headers['ratelimit-limit'], limit)
  t.equal(reply.headers['ratelimit-remaining'], '0')
  t.equal(reply.headers['x-ratelimit-remaining-hour'], '0')
  t.equal(reply.headers['retry-after'], reply.headers['ratelimit-reset'], 'Retry-After is RateLimit-Reset')
  t.ok(Number(reply.headers['retry-after']) >= 1)
  t.ok(reply.rawHeaders.includes('RateLimit-Remaining') && reply.rawHeaders.includes('X-RateLimit-Limit-Hour'), "Kong's casing on the wire")
}
