// The worker's read_timeout sweep: which requests it expires and with which of undici's errors, that a
// read or a held-back client restarts or stops the wait, that the list stays whole whatever order requests
// leave it in, and the sweep period. Sweeps are run by hand against performance.now(), not waited for.

import t from 'tap'
import { performance } from 'node:perf_hooks'
import { errors } from 'undici'
import type { RequestContext } from '../../../src/proxy/context.ts'
import { ReadDeadlines, sweepPeriod } from '../../../src/proxy/read-timeout.ts'

interface Waiting extends RequestContext {
  aborted: Error[]
}

function request (readTimeout: number): Waiting {
  const aborted: Error[] = []
  return {
    service: { read_timeout: readTimeout },
    firstByteAt: 0,
    readLinked: false,
    readPrev: null,
    readNext: null,
    readSince: 0,
    reads: 0,
    readsSeen: 0,
    readPaused: false,
    aborted,
    abortUpstream: (err?: Error) => { aborted.push(err!) }
  } as unknown as Waiting
}

t.test('the sweep period is 1/16 of the read_timeout, from 10 ms to 500 ms', async (t) => {
  t.equal(sweepPeriod(60_000), 500)
  t.equal(sweepPeriod(4000), 250)
  t.equal(sweepPeriod(300), 18)
  t.equal(sweepPeriod(100), 10)
  t.equal(sweepPeriod(1), 10)
})

t.test('a request that waited its read_timeout is expired, one still within it is not', async (t) => {
  const deadlines = new ReadDeadlines()
  t.teardown(() => deadlines.close())
  const late = request(1000)
  const early = request(1000)
  const now = performance.now()
  deadlines.arm(late, now - 1001)
  deadlines.arm(early, now - 500)
  deadlines.sweepNow()
  t.equal(late.aborted.length, 1)
  t.type(late.aborted[0], errors.HeadersTimeoutError, 'no response head yet: a headers timeout')
  t.notOk(late.readLinked, 'an expired request leaves the list')
  t.equal(early.aborted.length, 0)
  t.equal(deadlines.size, 1)
})

t.test('after the response head it is a body timeout', async (t) => {
  const deadlines = new ReadDeadlines()
  t.teardown(() => deadlines.close())
  const ctx = request(200)
  ctx.firstByteAt = performance.now() - 300
  deadlines.arm(ctx, ctx.firstByteAt)
  deadlines.sweepNow()
  t.type(ctx.aborted[0], errors.BodyTimeoutError)
})

t.test('a read since the last sweep restarts the wait from that sweep', async (t) => {
  const deadlines = new ReadDeadlines()
  t.teardown(() => deadlines.close())
  const ctx = request(1000)
  deadlines.arm(ctx, performance.now() - 5000)
  ctx.reads++
  deadlines.sweepNow()
  t.equal(ctx.aborted.length, 0, 'it read: not expired, though the wait began long ago')
  t.ok(performance.now() - ctx.readSince < 1000, 'the wait now counts from the sweep')
  ctx.readSince -= 1000
  deadlines.sweepNow()
  t.equal(ctx.aborted.length, 1, 'no read since: expired once the read_timeout passed again')
})

t.test('a request held back by a slow client does not time out until it may read again', async (t) => {
  const deadlines = new ReadDeadlines()
  t.teardown(() => deadlines.close())
  const ctx = request(100)
  deadlines.arm(ctx, performance.now() - 1000)
  ctx.readPaused = true
  deadlines.sweepNow()
  t.equal(ctx.aborted.length, 0)
  ctx.readPaused = false
  deadlines.sweepNow()
  t.equal(ctx.aborted.length, 1)
})

t.test('the list stays whole whichever requests leave it, and arming twice links once', async (t) => {
  const deadlines = new ReadDeadlines()
  t.teardown(() => deadlines.close())
  const all = Array.from({ length: 6 }, () => request(60_000))
  for (const ctx of all) deadlines.arm(ctx, performance.now())
  deadlines.arm(all[2], performance.now())
  t.equal(deadlines.size, 6)
  // the head, the tail, a middle one, then one not in the list at all
  deadlines.disarm(all[5])
  deadlines.disarm(all[0])
  deadlines.disarm(all[3])
  deadlines.disarm(all[3])
  t.equal(deadlines.size, 3)
  for (const ctx of [all[1], all[2], all[4]]) t.ok(ctx.readLinked)
  for (const ctx of [all[1], all[2], all[4]]) deadlines.disarm(ctx)
  t.equal(deadlines.size, 0)
  deadlines.arm(all[0], performance.now())
  t.equal(deadlines.size, 1, 'an emptied list takes requests again')
})

t.test('the timer sweeps on its own and lapses when nothing waits', async (t) => {
  const deadlines = new ReadDeadlines()
  t.teardown(() => deadlines.close())
  const ctx = request(20)
  deadlines.arm(ctx, performance.now())
  // a 20 ms read_timeout sweeps every 10 ms: expired within a few periods
  for (let i = 0; i < 100 && ctx.aborted.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(ctx.aborted.length, 1)
  t.equal(deadlines.size, 0)
  const next = request(20)
  deadlines.arm(next, performance.now())
  for (let i = 0; i < 100 && next.aborted.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(next.aborted.length, 1, 'a lapsed timer is started again by the next request')
})
