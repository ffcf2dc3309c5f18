// bench/instructions.ts's report: the instruction table and ratios, and with --cache-sim the misses of each
// subject's round with the fewest instructions (the one least touched by clock-driven work).

import t from 'tap'
import { report, type Counted } from '../../bench/instructions.ts'

const counted: Counted[] = [
  { name: 'floor-tls', rounds: [170_000, 160_000], median: 165_000, lowest: 160_000, misses: { I1mr: [8_000, 7_900], D1mr: [2_700, 2_600], D1mw: [500, 480], Bcm: [2_600, 2_500], Bim: [600, 560] } },
  { name: 'tls', rounds: [210_000, 250_000], median: 230_000, lowest: 210_000, misses: { I1mr: [8_800, 9_500], D1mr: [3_400, 3_800], D1mw: [590, 740], Bcm: [3_100, 4_100], Bim: [680, 670] } }
]

t.test('the ratios are floor ÷ subject, of the medians and of the lowest rounds', async (t) => {
  const text = report(counted, { rounds: 2, requests: 4000, warmup: 12000, cacheSim: false })
  t.match(text, '| floor-tls | 165,000 | 160,000 | 170,000, 160,000 |')
  t.match(text, '| tls / floor-tls | 0.717 | 0.762 |')
  t.notMatch(text, 'I1 misses', 'no miss table without the simulation')
})

t.test('with the simulation, the misses of the round with the fewest instructions', async (t) => {
  const text = report(counted, { rounds: 2, requests: 4000, warmup: 12000, cacheSim: true })
  t.match(text, '| floor-tls | 160,000 | 7,900 | 2,600 | 480 | 2,500 | 560 |', 'its second round')
  t.match(text, '| tls | 210,000 | 8,800 | 3,400 | 590 | 3,100 | 680 |', 'its first round')
})
