// CPU seconds a process has used (all its threads, user + sys), from /proc/PID/stat (utime and stime, in
// clock ticks: proc(5), https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html). Sampled before and
// after a run, it tells whether the subject or the load generator was the one at 100% of its core, and how
// much CPU the subject spent per request. Null off Linux.

import { readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'

let ticksPerSecond: number | null = null

function clockTicks (): number {
  if (ticksPerSecond === null) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
    const value = Number(out.stdout)
    ticksPerSecond = out.status === 0 && value > 0 ? value : 100
  }
  return ticksPerSecond
}

export function cpuSeconds (pid: number): number | null {
  let stat
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // fields after the command name, which is in parentheses and may itself hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / clockTicks() : null
}

/** CPU use of several processes over an interval, as a fraction of one core each. */
export class CpuMeter {
  readonly #pids: ReadonlyMap<string, number>
  #start = new Map<string, number | null>()
  #used = new Map<string, number | null>()
  #startedAt = 0

  constructor (pids: ReadonlyMap<string, number>) {
    this.#pids = pids
  }

  start (): void {
    this.#startedAt = performance.now()
    this.#start = new Map([...this.#pids].map(([role, pid]) => [role, cpuSeconds(pid)]))
  }

  /** role -> cores used on average (1 = one core fully busy); null where /proc was unreadable */
  stop (): Record<string, number | null> {
    const wall = (performance.now() - this.#startedAt) / 1000
    const out: Record<string, number | null> = {}
    for (const [role, pid] of this.#pids) {
      const before = this.#start.get(role) ?? null
      const after = cpuSeconds(pid)
      const used = before === null || after === null ? null : after - before
      this.#used.set(role, used)
      out[role] = used === null || wall <= 0 ? null : round(used / wall)
    }
    return out
  }

  /** CPU seconds `role` used between start() and stop(), unrounded (to the clock tick); null: unreadable. */
  used (role: string): number | null {
    return this.#used.get(role) ?? null
  }
}

function round (value: number): number {
  return Math.round(value * 100) / 100
}

/**
 * Nanoseconds every thread of a process has run on a CPU, summed from /proc/PID/task/TID/schedstat (its
 * first field: time spent on the cpu; the kernel's Documentation/scheduler/sched-stats.rst): finer than
 * stat's clock ticks, which a round of a few thousand requests counts only some tens of. A thread that
 * ended between two readings is missing from the second; V8's and libuv's threads live as long as the
 * process. Null off Linux or once the process is gone.
 */
export function threadsCpuNanoseconds (pid: number): number | null {
  let tasks
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return null
  }
  let total = 0
  for (const task of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // the thread ended since the directory was read
    }
  }
  return Number.isFinite(total) ? total : null
}
