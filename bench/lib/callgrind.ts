// Instructions a bench process executes, counted by valgrind's callgrind
// (https://valgrind.org/docs/manual/cl-manual.html): the process runs under `valgrind --tool=callgrind`,
// `callgrind_control --zero` clears its counters before a measured stretch and `callgrind_control --dump`
// writes them after; the dump's `totals:` line is what every thread of the process executed meanwhile (JIT
// code, the garbage collector, OpenSSL and libuv included). On a shared VM, CPU time per request moves by
// several per cent from one round to the next with what the neighbours do; this count does not depend on
// how fast the CPU runs, only on what the process executes (what it does by the clock aside: see
// bench/instructions.ts). It is not time: a cache miss or a slow instruction counts as one, AES-NI's many
// cheap ones as many. With `cacheSim`, callgrind also simulates the first-level caches and the branch
// predictor (--cache-sim=yes --branch-sim=yes; the manual's "Cache and branch simulation"), so a dump also
// says how many of those instructions missed the instruction or data cache or were mispredicted: what makes
// two processes that execute about as many instructions take different times.

import { spawnSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

const DUMP_WAIT_MS = 60_000

/**
 * The command a process runs under to be counted, its dumps written to `dir` as callgrind.<pid>.<n>.
 * V8 writes its JIT code into anonymous memory and rewrites it there, so valgrind must look for changed
 * code in every mapping that is not a file (--smc-check=all-non-file, the manual's advice for JITs);
 * per-instruction detail is not needed, only totals (--dump-instr=no). `cacheSim` adds the cache and
 * branch simulation, which makes the process run about twice as slowly again.
 */
export function callgrindPrefix (dir: string, cacheSim = false): string[] {
  return ['valgrind', '--tool=callgrind', '--smc-check=all-non-file', '--dump-instr=no',
    ...(cacheSim ? ['--cache-sim=yes', '--branch-sim=yes'] : []), `--callgrind-out-file=${join(dir, 'callgrind.%p')}`]
}

/** Why instructions cannot be counted here (valgrind or callgrind_control missing), or null when they can. */
export function callgrindMissing (): string | null {
  for (const tool of ['valgrind', 'callgrind_control']) {
    const out = spawnSync(tool, ['--version'], { encoding: 'utf8' })
    if (out.error !== undefined || out.status !== 0) return `${tool} not found (the valgrind package has both)`
  }
  return null
}

/** Clears the counters of a process running under callgrind. */
export function zeroCounters (pid: number): void {
  control(pid, '--zero')
}

/**
 * Dumps the counters of a process running under callgrind and returns the instructions since they were
 * last zeroed. callgrind acts on the request when the process next runs code, so the dump is awaited.
 */
export async function dumpInstructions (pid: number, dir: string): Promise<number> {
  return (await dumpEvents(pid, dir)).Ir
}

/**
 * dumpInstructions with every event the dump counted, by callgrind's names: `Ir` (instructions) always;
 * with the cache simulation also `I1mr` (first-level instruction cache misses), `D1mr` and `D1mw` (data
 * cache read and write misses), `Bcm` and `Bim` (mispredicted conditional and indirect branches), and the
 * others its manual lists.
 */
export async function dumpEvents (pid: number, dir: string): Promise<Readonly<Record<string, number>>> {
  const before = new Set(await dumpsOf(pid, dir))
  control(pid, '--dump')
  const deadline = Date.now() + DUMP_WAIT_MS
  while (Date.now() < deadline) {
    for (const file of await dumpsOf(pid, dir)) {
      if (before.has(file)) continue
      // written whole before callgrind_control returns; read again if it was caught half-written
      const events = parseEvents(await readFile(join(dir, file), 'utf8'))
      if (events !== null) return events
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`callgrind wrote no dump for pid ${pid} within ${DUMP_WAIT_MS} ms`)
}

/** The event count of a callgrind dump's `totals:` line (older versions write `summary:`), or null without one. */
export function parseTotals (dump: string): number | null {
  return parseEvents(dump)?.Ir ?? null
}

/**
 * A dump's totals by event name: the `events:` line names the columns of the `totals:` line (older
 * versions write `summary:`); a dump without them (cut short) gives null. Trailing zero columns may be
 * left out of a cost line (the format's manual), so a missing one is 0.
 */
export function parseEvents (dump: string): Record<string, number> | null {
  const totals = /^(?:totals|summary):[ \t]+([\d \t]+)$/m.exec(dump)
  if (totals === null) return null
  const names = /^events:[ \t]+(.+)$/m.exec(dump)?.[1].trim().split(/\s+/) ?? ['Ir']
  const counts = totals[1].trim().split(/\s+/).map(Number)
  const events: Record<string, number> = {}
  names.forEach((name, i) => { events[name] = counts[i] ?? 0 })
  return events
}

function control (pid: number, command: '--zero' | '--dump'): void {
  const out = spawnSync('callgrind_control', [command, String(pid)], { encoding: 'utf8', timeout: DUMP_WAIT_MS })
  if (out.status !== 0) throw new Error(`callgrind_control ${command} ${pid} failed: ${out.stderr || out.stdout || out.error?.message}`)
}

async function dumpsOf (pid: number, dir: string): Promise<string[]> {
  const prefix = `callgrind.${pid}.`
  return (await readdir(dir)).filter((name) => name.startsWith(prefix))
}
