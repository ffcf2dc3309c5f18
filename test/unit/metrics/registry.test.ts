// The metrics registry: sources in registration order, families merged by name, and a failing source
// costing only its own families (counted as scrape errors).

import t from 'tap'
import { MetricsRegistry } from '../../../src/metrics/registry.ts'
import type { MetricFamily } from '../../../src/metrics/types.ts'

const counter = (name: string, value: number, labels?: Record<string, string>): MetricFamily =>
  ({ name, help: name, type: 'counter', samples: [{ labels, value }] })

t.test('sources are collected in order and same-named families merged', async (t) => {
  const registry = new MetricsRegistry()
  registry.register('one', { collect: () => [counter('x_total', 1, { s: 'one' }), counter('y_total', 2)] })
  registry.register('two', { collect: async () => [counter('x_total', 3, { s: 'two' })] })
  t.equal(await registry.render(), [
    '# HELP x_total x_total', '# TYPE x_total counter', 'x_total{s="one"} 1', 'x_total{s="two"} 3',
    '# HELP y_total y_total', '# TYPE y_total counter', 'y_total 2', '',
  ].join('\n'))
  t.equal(registry.errors, 0)
})

t.test('failures cost only the failing source, and are counted', async (t) => {
  const told: string[] = []
  const registry = new MetricsRegistry({ onError: (source, err) => told.push(`${source}: ${(err as Error).message}`) })
  registry.register('good', { collect: () => [counter('good_total', 1)] })
  registry.register('throws', { collect: () => { throw new Error('boom') } })
  registry.register('rejects', { collect: async () => { throw new Error('later') } })
  registry.register('bad-name', { collect: () => [counter('bad name', 1), counter('fine_total', 2)] })
  registry.register('wrong-type', { collect: () => [{ name: 'good_total', help: '', type: 'gauge', samples: [] }] })
  const text = await registry.render()
  t.match(text, /^good_total 1$/m)
  t.match(text, /^fine_total 2$/m)
  t.notMatch(text, /bad name/)
  t.equal(registry.errors, 4)
  t.same(told, ['throws: boom', 'rejects: later', "bad-name: invalid metric name 'bad name'", 'wrong-type: metric good_total is a counter, not a gauge'])
})

t.test('register and unregister', async (t) => {
  const registry = new MetricsRegistry()
  const remove = registry.register('a', { collect: () => [counter('a_total', 1)] })
  t.throws(() => registry.register('a', { collect: () => [] }), /already registered/)
  remove()
  t.equal(await registry.render(), '')
  registry.register('a', { collect: () => [counter('a_total', 2)] })
  remove()
  t.match(await registry.render(), /a_total 2/, 'a stale remover does not remove the newer source')
})
