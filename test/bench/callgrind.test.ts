// bench/lib/callgrind.ts: the totals of a dump are read, a command runs under a prefix, and, where valgrind
// is installed, a real node process under callgrind is counted: zeroing drops its start-up, and ten times the
// work counts several times more instructions. (The cache simulation is left to the unit tests of its
// prefix and totals: under it, node's start-up alone takes about a minute.)

import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { callgrindMissing, callgrindPrefix, dumpEvents, dumpInstructions, parseEvents, parseTotals, zeroCounters } from '../../bench/lib/callgrind.ts'
import { pinned, prefixed } from '../../bench/lib/cpu-plan.ts'

t.test('parseTotals reads the totals line of a dump', async (t) => {
  const dump = ['# callgrind format', 'version: 1', 'events: Ir', 'fn=(1) main', '0 42', '', 'totals: 1234567', ''].join('\n')
  t.equal(parseTotals(dump), 1234567)
  t.equal(parseTotals('events: Ir\nsummary: 99\n'), 99, 'older versions write summary:')
  t.equal(parseTotals('events: Ir\nfn=(1) main\n0 42\n'), null, 'a dump cut short has no totals')
  t.equal(parseTotals('fn=(2) totals: 5\n'), null, 'only a line that starts with it')
})

t.test('parseEvents names the totals by the events line', async (t) => {
  const dump = ['events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim', 'fn=(1) main', '0 9 1',
    'totals: 856367790 234305419 118920821 35346382 13823078 2368665 15 12 538 142005897 12378567 13042320 2737468', ''].join('\n')
  const events = parseEvents(dump)!
  t.equal(events.Ir, 856367790)
  t.equal(events.I1mr, 35346382)
  t.equal(events.D1mr, 13823078)
  t.equal(events.D1mw, 2368665)
  t.equal(events.Bcm, 12378567)
  t.equal(events.Bim, 2737468)
  t.equal(parseTotals(dump), 856367790, 'the instructions are the first column')
  t.same(parseEvents('events: Ir D1mr D1mw\ntotals: 10 3\n'), { Ir: 10, D1mr: 3, D1mw: 0 }, 'a trailing zero column may be left out')
  t.same(parseEvents('totals: 7\n'), { Ir: 7 }, 'without an events line: instructions')
  t.equal(parseEvents('events: Ir D1mr\nfn=(1) main\n0 4 1\n'), null, 'a dump cut short')
})

t.test('prefixed runs a command line under another command', async (t) => {
  t.same(prefixed([], ['node', ['a.ts']]), ['node', ['a.ts']])
  t.same(prefixed(['valgrind', '--tool=callgrind'], ['node', ['a.ts', '--x']]), ['valgrind', ['--tool=callgrind', 'node', 'a.ts', '--x']])
  t.same(prefixed(['valgrind'], pinned('1', 'node', ['a.ts'])), ['valgrind', ['taskset', '-c', '1', 'node', 'a.ts']], 'around taskset')
  t.same(callgrindPrefix('/d').slice(0, 2), ['valgrind', '--tool=callgrind'])
  t.ok(callgrindPrefix('/d').includes('--callgrind-out-file=/d/callgrind.%p'))
  t.notOk(callgrindPrefix('/d').includes('--cache-sim=yes'), 'no cache simulation unless asked')
  const simulated = callgrindPrefix('/d', true)
  t.ok(simulated.includes('--cache-sim=yes') && simulated.includes('--branch-sim=yes'))
  t.equal(simulated.at(-1), '--callgrind-out-file=/d/callgrind.%p', 'options before the command that follows')
})

const missing = callgrindMissing()
t.test('a node process under callgrind is counted between zero and dump', { skip: missing ?? false }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-callgrind-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // a loop of N additions per `work N` line; `ready` once it reads stdin
  const script = "let s = 0; require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => " +
    "{ const n = Number(l.split(' ')[1]); for (let i = 0; i < n; i++) s = (s + i) | 0; console.log('done ' + s) }); console.log('ready')"
  // --jitless: interpreted, the loop costs the same per iteration whenever it runs. With the JIT, when the
  // loop is compiled depends on a background thread valgrind runs in turn with the loop, so ten times the
  // iterations counted anywhere from 2.4 to 10 times the instructions.
  const [command, args] = prefixed(callgrindPrefix(dir), [process.execPath, ['--jitless', '-e', script]])
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] })
  t.teardown(() => { child.kill('SIGKILL') })
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  t.equal((await lines.next()).value, 'ready')
  const work = async (n: number): Promise<void> => {
    zeroCounters(child.pid!)
    child.stdin!.write(`work ${n}\n`)
    t.match((await lines.next()).value, /^done /)
  }
  await work(1e5)
  const small = await dumpInstructions(child.pid!, dir)
  await work(1e6)
  const events = await dumpEvents(child.pid!, dir)
  const large = events.Ir
  // node's start-up alone executes about 500 million; zeroing left it out
  t.ok(small > 1e5 && small < 3e8, `a hundred thousand iterations: ${small} instructions`)
  t.ok(large > small * 5, `a million: ${large}, several times more`)
  t.same(Object.keys(events), ['Ir'], 'without the cache simulation a dump counts instructions only')
  child.stdin!.end()
  await once(child, 'exit')
})
