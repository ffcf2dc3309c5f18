// Prometheus text format 0.0.4: HELP/TYPE lines, label escaping, histograms, special values.

import t from 'tap'
import { familyProblem, formatNumber, renderFamilies } from '../../../src/metrics/exposition.ts'

t.test('counters, gauges and histograms', async (t) => {
  const text = renderFamilies([
    { name: 'a_total', help: 'A count\nwith a \\ and a newline', type: 'counter', samples: [{ value: 3 }, { labels: { route: 'r"1\\\n' }, value: 1.5 }] },
    { name: 'b', help: 'B', type: 'gauge', samples: [] },
    { name: 'h_ms', help: 'H', type: 'histogram', samples: [{ labels: { route: 'r' }, bounds: [1, 5], cumulative: [2, 3], count: 4, sum: 12.5 }] },
  ])
  t.equal(text, [
    '# HELP a_total A count\\nwith a \\\\ and a newline',
    '# TYPE a_total counter',
    'a_total 3',
    'a_total{route="r\\"1\\\\\\n"} 1.5',
    '# HELP b B',
    '# TYPE b gauge',
    '# HELP h_ms H',
    '# TYPE h_ms histogram',
    'h_ms_bucket{route="r",le="1"} 2',
    'h_ms_bucket{route="r",le="5"} 3',
    'h_ms_bucket{route="r",le="+Inf"} 4',
    'h_ms_sum{route="r"} 12.5',
    'h_ms_count{route="r"} 4',
    '',
  ].join('\n'))
  t.equal(renderFamilies([]), '')
})

t.test('special values', async (t) => {
  t.equal(formatNumber(Infinity), '+Inf')
  t.equal(formatNumber(-Infinity), '-Inf')
  t.equal(formatNumber(NaN), 'NaN')
  t.equal(formatNumber(2 ** 53), '9007199254740992')
})

t.test('names that cannot be written', async (t) => {
  t.equal(familyProblem({ name: 'ok_name:x', help: '', type: 'gauge', samples: [{ labels: { a_b: 'x' }, value: 1 }] }), null)
  t.match(familyProblem({ name: '1bad', help: '', type: 'gauge', samples: [] }), /invalid metric name/)
  t.match(familyProblem({ name: 'x', help: '', type: 'gauge', samples: [{ labels: { 'a-b': 'x' }, value: 1 }] }), /invalid label name/)
  t.match(familyProblem({ name: 'x', help: '', type: 'gauge', samples: [{ labels: { __x: 'x' }, value: 1 }] }), /invalid label name/)
  t.match(familyProblem({ name: 'x', help: '', type: 'histogram', samples: [{ labels: { le: '1' }, bounds: [], cumulative: [], count: 0, sum: 0 }] }), /invalid label name 'le'/)
  t.match(familyProblem({ name: 'x', help: '', type: 'histogram', samples: [{ bounds: [1], cumulative: [], count: 0, sum: 0 }] }), /differ in length/)
})
