// Instructions a bench process executes, counted by valgrind's callgrind
// (https://valgrind.org/docs/manual/cl-manual.html): the process runs under `valgrind --tool=callgrind`,
// `callgrind_control --zero` clears its counters before a measured stretch and `callgrind_control --dump`
// writes them after; the dump's `totals:` line is what every thread of the process executed meanwhile (JIT
// code, the garbage collector, OpenSSL and libuv included). On a shared VM, CPU time per request moves by
// several per cent from one round to the next with what the neighbours do; this count does not depend on
// how fast the CPU runs, only on what the process executes (what it does by the clock aside: see
// bench/instructions.ts). It is not time: a cache miss or a slow instruction counts as one, AES-NI's many
// cheap ones as many.

import { spawnSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

const DUMP_WAIT_MS = 60_000

/**
 * The command a process runs under to be counted, its dumps written to `dir` as callgrind.<pid>.<n>.
 * V8 writes its JIT code into anonymous memory and rewrites it there, so valgrind must look for changed
 * code in every mapping that is not a file (--smc-check=all-non-file, the manual's advice for JITs);
 * per-instruction detail is not needed, only totals (--dump-instr=no).
 */
export function callgrindPrefix (dir: string): string[] {
  return ['valgrind', '--tool=callgrind', '--smc-check=all-non-file', '--dump-instr=no', `--callgrind-out-file=${join(dir, 'callgrind.%p')}`]
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
  const before = new Set(await dumpsOf(pid, dir))
  control(pid, '--dump')
  const deadline = Date.now() + DUMP_WAIT_MS
  while (Date.now() < deadline) {
    for (const file of await dumpsOf(pid, dir)) {
      if (before.has(file)) continue
      // written whole before callgrind_control returns; read again if it was caught half-written
      const total = parseTotals(await readFile(join(dir, file), 'utf8'))
      if (total !== null) return total
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`callgrind wrote no dump for pid ${pid} within ${DUMP_WAIT_MS} ms`)
}

/** The event count of a callgrind dump's `totals:` line (older versions write `summary:`), or null without one. */
export function parseTotals (dump: string): number | null {
  const match = /^(?:totals|summary):\s+(\d+)/m.exec(dump)
  return match === null ? null : Number(match[1])
}

function control (pid: number, command: '--zero' | '--dump'): void {
  const out = spawnSync('callgrind_control', [command, String(pid)], { encoding: 'utf8', timeout: DUMP_WAIT_MS })
  if (out.status !== 0) throw new Error(`callgrind_control ${command} ${pid} failed: ${out.stderr || out.stdout || out.error?.message}`)
}

async function dumpsOf (pid: number, dir: string): Promise<string[]> {
  const prefix = `callgrind.${pid}.`
  return (await readdir(dir)).filter((name) => name.startsWith(prefix))
}
