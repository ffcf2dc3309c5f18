// The health table's state machine against lua-resty-healthcheck's rules (lib/resty/healthcheck.lua
// incr_counter, set_target_status), one row per behaviour, and slot reuse. Cross-thread exactness is
// health-race.test.ts's.

import t from 'tap'
import { COUNTER_HTTP, COUNTER_TCP, COUNTER_TIMEOUT, HealthTable, type InternalHealth } from '../../../src/balancer/health-table.ts'

type Event = 'ok' | 'http' | 'tcp' | 'timeout' | 'set-healthy' | 'set-unhealthy'
interface Limits { readonly successes: number, readonly http: number, readonly tcp: number, readonly timeouts: number }
interface Row {
  readonly name: string
  readonly limits: Limits
  readonly events: readonly Event[]
  /** the internal state after each event */
  readonly states: readonly InternalHealth[]
  /** which events changed routing (reportX returned true) */
  readonly flips?: readonly number[]
}

const L = (successes: number, http: number, tcp: number, timeouts: number): Limits => ({ successes, http, tcp, timeouts })

const ROWS: readonly Row[] = [
  {
    name: 'a limit of 0 disables its counter (incr_counter: fail fast)',
    limits: L(0, 0, 0, 0),
    events: ['http', 'tcp', 'timeout', 'http'],
    states: ['healthy', 'healthy', 'healthy', 'healthy'],
  },
  {
    name: 'failures below the limit make mostly_healthy; the limit makes unhealthy',
    limits: L(0, 3, 0, 0),
    events: ['http', 'http', 'http'],
    states: ['mostly_healthy', 'mostly_healthy', 'unhealthy'],
    flips: [2],
  },
  {
    name: 'each failure kind has its own counter and limit',
    limits: L(0, 2, 2, 2),
    events: ['http', 'tcp', 'timeout', 'tcp'],
    states: ['mostly_healthy', 'mostly_healthy', 'mostly_healthy', 'unhealthy'],
    flips: [3],
  },
  {
    name: 'a success clears the failure counters (consecutive failures only)',
    limits: L(5, 2, 0, 0),
    events: ['http', 'ok', 'http', 'ok', 'http', 'http'],
    states: ['mostly_healthy', 'mostly_healthy', 'mostly_healthy', 'mostly_healthy', 'mostly_healthy', 'unhealthy'],
    flips: [5],
  },
  {
    name: 'with successes 0 a success is not counted and does not clear failures',
    limits: L(0, 2, 0, 0),
    events: ['http', 'ok', 'http'],
    states: ['mostly_healthy', 'mostly_healthy', 'unhealthy'],
    flips: [2],
  },
  {
    name: 'unhealthy: successes below the limit make mostly_unhealthy (not routed), the limit healthy',
    limits: L(2, 1, 0, 0),
    events: ['http', 'ok', 'ok'],
    states: ['unhealthy', 'mostly_unhealthy', 'healthy'],
    flips: [0, 2],
  },
  {
    name: 'a failure clears the success counter',
    limits: L(2, 1, 0, 0),
    events: ['http', 'ok', 'http', 'ok', 'ok'],
    states: ['unhealthy', 'mostly_unhealthy', 'unhealthy', 'mostly_unhealthy', 'healthy'],
    flips: [0, 4],
  },
  {
    name: 'no counting past the state: failures while unhealthy, successes while healthy',
    limits: L(1, 1, 1, 1),
    events: ['ok', 'http', 'tcp', 'timeout', 'ok'],
    states: ['healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy'],
    flips: [1, 4],
  },
  {
    name: 'passive-only (successes 0): an unhealthy peer stays down until an Admin healthy call',
    limits: L(0, 1, 0, 0),
    events: ['http', 'ok', 'ok', 'set-healthy', 'ok'],
    states: ['unhealthy', 'unhealthy', 'unhealthy', 'healthy', 'healthy'],
    flips: [0],
  },
  {
    name: 'an Admin call sets the state and clears the counters (set_target_status)',
    limits: L(0, 2, 0, 0),
    events: ['http', 'set-unhealthy', 'set-healthy', 'http', 'http'],
    states: ['mostly_healthy', 'unhealthy', 'healthy', 'mostly_healthy', 'unhealthy'],
    flips: [4],
  },
  {
    name: 'mostly_healthy reaching the success limit is plain healthy again',
    limits: L(1, 3, 0, 0),
    events: ['http', 'ok', 'http', 'http'],
    states: ['mostly_healthy', 'healthy', 'mostly_healthy', 'mostly_healthy'],
  },
]

function apply (table: HealthTable, slot: number, event: Event, limits: Limits): boolean {
  switch (event) {
    case 'ok': return table.reportSuccess(slot, limits.successes)
    case 'http': return table.reportFailure(slot, COUNTER_HTTP, limits.http)
    case 'tcp': return table.reportFailure(slot, COUNTER_TCP, limits.tcp)
    case 'timeout': return table.reportFailure(slot, COUNTER_TIMEOUT, limits.timeouts)
    case 'set-healthy': table.setHealthy(slot, true); return false
    case 'set-unhealthy': table.setHealthy(slot, false); return false
  }
}

for (const row of ROWS) {
  t.test(row.name, async (t) => {
    const table = HealthTable.create(8)
    const slot = 5
    const flips: number[] = []
    row.events.forEach((event, i) => {
      if (apply(table, slot, event, row.limits)) flips.push(i)
      t.equal(table.state(slot), row.states[i], `after #${i} ${event}`)
      t.equal(table.isHealthy(slot), row.states[i] === 'healthy' || row.states[i] === 'mostly_healthy', `routing after #${i}`)
    })
    t.same(flips, row.flips ?? [], 'routing changes')
    for (let other = 0; other < 8; other++) if (other !== slot) t.equal(table.state(other), 'healthy', `slot ${other} untouched`)
  })
}

t.test('counters as lua-resty-healthcheck keeps them', async (t) => {
  const table = HealthTable.create(2)
  table.reportFailure(0, COUNTER_HTTP, 9)
  table.reportFailure(0, COUNTER_TCP, 9)
  table.reportFailure(0, COUNTER_TCP, 9)
  table.reportFailure(0, COUNTER_TIMEOUT, 9)
  t.same(table.counters(0), { successes: 0, httpFailures: 1, tcpFailures: 2, timeouts: 1 })
  table.reportSuccess(0, 9)
  t.same(table.counters(0), { successes: 1, httpFailures: 0, tcpFailures: 0, timeouts: 0 }, 'a success clears the failures')
  table.reportFailure(0, COUNTER_TIMEOUT, 9)
  t.same(table.counters(0), { successes: 0, httpFailures: 0, tcpFailures: 0, timeouts: 1 }, 'a failure clears the successes')
})

t.test('override flag: set by an Admin call, cleared by the next transition', async (t) => {
  const table = HealthTable.create(1)
  t.notOk(table.isOverridden(0))
  table.setHealthy(0, false)
  t.ok(table.isOverridden(0))
  t.equal(table.state(0), 'unhealthy')
  table.reportSuccess(0, 2)
  t.equal(table.state(0), 'mostly_unhealthy')
  t.notOk(table.isOverridden(0))
})

t.test('reset hands the slot over: healthy, zero counters, next generation', async (t) => {
  const table = HealthTable.create(1)
  table.reportFailure(0, COUNTER_HTTP, 5)
  table.setHealthy(0, false)
  table.reportSuccess(0, 5)
  t.equal(table.generation(0), 0)
  table.reset(0)
  t.equal(table.generation(0), 1)
  t.equal(table.state(0), 'healthy')
  t.notOk(table.isOverridden(0))
  t.same(table.counters(0), { successes: 0, httpFailures: 0, tcpFailures: 0, timeouts: 0 })
  t.ok(table.reportFailure(0, COUNTER_HTTP, 1), 'the new occupant counts from scratch')
  t.equal(table.generation(0), 1, 'transitions keep the generation')
})

t.test('workers attach to the same buffer; a foreign buffer is refused', async (t) => {
  const main = HealthTable.create(16)
  const worker = new HealthTable(main.buffer)
  t.equal(worker.capacity, 16)
  main.setHealthy(3, false)
  t.notOk(worker.isHealthy(3))
  worker.reportSuccess(3, 1)
  t.ok(main.isHealthy(3))
  t.throws(() => new HealthTable(new SharedArrayBuffer(1024)), TypeError)
  t.throws(() => HealthTable.create(0), RangeError)
  t.throws(() => main.reportFailure(16, COUNTER_HTTP, 1), RangeError)
})
