// Passive reporting through the compiled healthchecks record (lua-resty-healthcheck report_http_status,
// report_tcp_failure, report_timeout with Kong's defaults from kong/db/schema/entities/upstreams.lua), and
// the slot allocator's keep / free / reuse across config swaps.

import t from 'tap'
import { HealthTable } from '../../../src/balancer/health-table.ts'
import { HealthSlots, healthSlotKey } from '../../../src/balancer/health-slots.ts'
import {
  compileHealthRules, OUTCOME_TCP_FAILURE, OUTCOME_TIMEOUT, reportPassive, type HealthchecksRecord,
} from '../../../src/balancer/health-rules.ts'
import { DEFAULT_HEALTHCHECKS } from '../../helpers/healthchecks.ts'
import { hasCode } from '../../../src/core/errors.ts'

function withPassive (unhealthy: Partial<HealthchecksRecord['passive']['unhealthy']>, successes = 0): HealthchecksRecord {
  const d = DEFAULT_HEALTHCHECKS
  return { ...d, passive: { ...d.passive, healthy: { ...d.passive.healthy, successes }, unhealthy: { ...d.passive.unhealthy, ...unhealthy } } }
}

t.test("Kong's defaults: health checks off, reporting is a no-op", async (t) => {
  const rules = compileHealthRules(DEFAULT_HEALTHCHECKS)
  t.notOk(rules.enabled)
  t.ok(rules.passiveOff)
  const table = HealthTable.create(1)
  for (const outcome of [500, 503, 0, OUTCOME_TCP_FAILURE, OUTCOME_TIMEOUT]) reportPassive(table, 0, rules, outcome)
  t.same(table.counters(0), { successes: 0, httpFailures: 0, tcpFailures: 0, timeouts: 0 })
})

t.test('enabled = is_upstream_using_healthcheck: an active interval or a passive failure threshold', async (t) => {
  const d = DEFAULT_HEALTHCHECKS
  t.ok(compileHealthRules(withPassive({ timeouts: 1 })).enabled)
  t.ok(compileHealthRules({ ...d, active: { ...d.active, unhealthy: { ...d.active.unhealthy, interval: 0.1 } } }).enabled)
  t.notOk(compileHealthRules(withPassive({}, 3)).enabled, 'passive successes alone do not enable health checks')
  t.notOk(compileHealthRules(withPassive({}, 3)).passiveOff, 'but they are counted')
})

t.test('passive statuses: default unhealthy list 429/500/503 counts, other errors are ignored', async (t) => {
  const rules = compileHealthRules(withPassive({ http_failures: 2 }, 1))
  const table = HealthTable.create(1)
  for (const status of [502, 504, 404, 401, 100, 999, 1000, 65535]) reportPassive(table, 0, rules, status)
  t.equal(table.state(0), 'healthy', 'unlisted statuses are ignored')
  reportPassive(table, 0, rules, 429)
  t.equal(table.state(0), 'mostly_healthy')
  t.ok(reportPassive(table, 0, rules, 0), 'an unparsable response (0) is an HTTP failure')
  t.equal(table.state(0), 'unhealthy')
  t.ok(reportPassive(table, 0, rules, 226), '226 is in the default healthy list')
  t.equal(table.state(0), 'healthy')
})

t.test('passive tcp failures and timeouts count against their own thresholds', async (t) => {
  const rules = compileHealthRules(withPassive({ tcp_failures: 2, timeouts: 1 }))
  const table = HealthTable.create(2)
  reportPassive(table, 0, rules, OUTCOME_TCP_FAILURE)
  t.equal(table.state(0), 'mostly_healthy')
  t.ok(reportPassive(table, 0, rules, OUTCOME_TCP_FAILURE))
  t.ok(reportPassive(table, 1, rules, OUTCOME_TIMEOUT))
  t.notOk(reportPassive(table, 1, rules, 500), 'http_failures 0: HTTP failures are not counted')
})

t.test('healthy list wins over the unhealthy list for a status in both', async (t) => {
  const d = DEFAULT_HEALTHCHECKS
  const record = withPassive({ http_failures: 1, http_statuses: [500] })
  const rules = compileHealthRules({ ...record, passive: { ...record.passive, healthy: { http_statuses: [500], successes: 1 } } })
  const table = HealthTable.create(1)
  reportPassive(table, 0, rules, 500)
  t.equal(table.state(0), 'healthy')
  t.equal(d.passive.unhealthy.http_failures, 0, 'defaults are untouched')
})

t.test('active headers compile to request-head lines; a line break is refused', async (t) => {
  const d = DEFAULT_HEALTHCHECKS
  const rules = compileHealthRules({ ...d, active: { ...d.active, headers: { 'x-a': ['1', '2'], 'x-b': ['3'] } } })
  t.equal(rules.active.headerLines, 'x-a: 1\r\nx-a: 2\r\nx-b: 3\r\n')
  t.throws(() => compileHealthRules({ ...d, active: { ...d.active, headers: { 'x-a': ['1\r\nHost: evil'] } } }), TypeError)
})

t.test('slots: kept across a sync while the key exists, freed and reset on reuse', async (t) => {
  const table = HealthTable.create(3)
  const slots = new HealthSlots(table)
  const a = healthSlotKey('u1', 'a:80', '10.0.0.1', 80)
  const b = healthSlotKey('u1', 'b:80', '10.0.0.2', 80)
  const c = healthSlotKey('u1', 'c:80', '10.0.0.3', 80)
  const d = healthSlotKey('u1', 'd:80', '10.0.0.4', 80)
  const first = slots.sync([{ key: a, checked: true }, { key: b, checked: true }])
  table.setHealthy(first.get(a)!, false)
  table.setHealthy(first.get(b)!, false)
  const bGeneration = table.generation(first.get(b)!)
  const second = slots.sync([{ key: a, checked: true }, { key: c, checked: true }])
  t.equal(second.get(a), first.get(a), 'a keeps its slot')
  t.notOk(table.isHealthy(second.get(a)!), 'and its state')
  t.equal(second.get(c), 2, 'c gets a never-used slot before b\'s freed one')
  t.equal(slots.size, 2)
  const third = slots.sync([{ key: a, checked: true }, { key: c, checked: true }, { key: d, checked: true }])
  t.equal(third.get(d), first.get(b), 'd reuses b\'s slot')
  t.ok(table.isHealthy(third.get(d)!), 'reset to healthy')
  t.equal(table.generation(third.get(d)!), bGeneration + 1, 'next generation')
  t.equal(slots.slotOf(b), undefined)
})

t.test('slots: an upstream without health checks keeps its peers healthy', async (t) => {
  const table = HealthTable.create(2)
  const slots = new HealthSlots(table)
  const a = healthSlotKey('u1', 'a:80', '10.0.0.1', 80)
  const slot = slots.sync([{ key: a, checked: true }]).get(a)!
  table.setHealthy(slot, false)
  t.equal(slots.sync([{ key: a, checked: false }]).get(a), slot)
  t.ok(table.isHealthy(slot))
})

t.test('slots: over capacity is CONFIG_INVALID and changes nothing', async (t) => {
  const table = HealthTable.create(2)
  const slots = new HealthSlots(table)
  const keys = ['a', 'b', 'c'].map((key) => ({ key, checked: true }))
  slots.sync(keys.slice(0, 2))
  const err = t.throws(() => slots.sync(keys))
  t.ok(hasCode(err, 'CONFIG_INVALID'))
  t.equal(slots.slotOf('a'), 0)
  t.equal(slots.slotOf('c'), undefined)
  t.same([...slots.sync(keys.slice(1)).values()].sort(), [0, 1], 'replacing a key fits')
})
