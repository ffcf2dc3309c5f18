// Which CPUs each bench process runs on. The load generator and the process under test get different
// cores when `taskset` exists, so neither steals the other's cycles; helpers (the upstream when it is not
// under test, the IdP) share the load generator's core on a 2-core machine. The plan is recorded in the
// results, and everything still runs, unpinned, where taskset or the CPU list is missing.

import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

export interface CpuPlan {
  /** taskset found and this process's affinity list read */
  readonly taskset: boolean
  /** CPUs this process may run on (ids as the kernel numbers them) */
  readonly cpus: readonly number[]
  /** taskset lists ("0", "2,3"); null: not pinned */
  readonly load: string | null
  readonly support: string | null
  /** what the process under test (upstream in `direct`, a floor, gateway) gets for `workers` threads */
  subject (workers: number): string | null
  /** one line for people: what shares what */
  readonly note: string
}

export function planCpus (): CpuPlan {
  const cpus = affinityList()
  if (cpus === null) return unpinned(range(availableParallelism()), 'taskset not available: nothing pinned, every process shares every core')
  if (cpus.length < 2) return unpinned(cpus, 'one CPU: nothing pinned')
  const list = (ids: readonly number[]): string => ids.join(',')
  // 2 CPUs: load + helpers on the first, the subject alone on the second. 3+: helpers get their own core.
  const load = [cpus[0]]
  const support = cpus.length === 2 ? [cpus[0]] : [cpus[1]]
  const pool = cpus.length === 2 ? [cpus[1]] : cpus.slice(2)
  return {
    taskset: true,
    cpus,
    load: list(load),
    support: list(support),
    subject: (workers) => workers <= pool.length ? list(pool.slice(0, workers)) : list(cpus),
    note: cpus.length === 2
      ? `load generator, upstream and IdP on CPU ${load[0]}; subject on CPU ${pool[0]}; a subject with more workers than its cores gets all CPUs (shared with the load generator)`
      : `load generator on CPU ${load[0]}, upstream and IdP on CPU ${support[0]}, subject on ${list(pool)}; a subject with more workers than that gets all CPUs`
  }
}

function unpinned (cpus: readonly number[], note: string): CpuPlan {
  return { taskset: false, cpus, load: null, support: null, subject: () => null, note }
}

/** This process's affinity, from `taskset -c -p PID` ("pid 1's current affinity list: 0-3,6"); null without taskset. */
function affinityList (): number[] | null {
  const out = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' })
  if (out.status !== 0 || typeof out.stdout !== 'string') return null
  const list = out.stdout.slice(out.stdout.lastIndexOf(':') + 1).trim()
  const cpus: number[] = []
  for (const part of list.split(',')) {
    const [from, to] = part.split('-').map(Number)
    if (!Number.isInteger(from)) return null
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu)
  }
  return cpus.length > 0 ? cpus : null
}

function range (n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/** The command line that runs `command args` on `cpus` (unchanged when cpus is null). */
export function pinned (cpus: string | null, command: string, args: readonly string[]): [string, string[]] {
  return cpus === null ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]]
}

/** `command args` run under another command (`valgrind --tool=callgrind ...`); unchanged when prefix is empty. */
export function prefixed (prefix: readonly string[], [command, args]: [string, string[]]): [string, string[]] {
  return prefix.length === 0 ? [command, args] : [prefix[0], [...prefix.slice(1), command, ...args]]
}

/** Moves a running process, all its threads included, to `cpus`. */
export function repin (pid: number, cpus: string): void {
  const out = spawnSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`taskset could not move pid ${pid} to CPUs ${cpus}: ${out.stderr}`)
}
