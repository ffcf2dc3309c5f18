// The gateway process's resident memory from /proc (Linux, proc(5)): VmHWM is the peak resident set
// since the process started or since the peak was last reset, VmRSS the resident set now. Writing "5" to
// /proc/<pid>/clear_refs resets VmHWM to the current RSS (Linux 4.0+, see "/proc/pid/clear_refs" in
// https://man7.org/linux/man-pages/man5/proc.5.html), so the peak an attack causes is not hidden by
// the larger peak of the gateway's start-up.

import { readFile, writeFile } from 'node:fs/promises'

export interface MemorySample {
  /** peak resident set, KiB */
  readonly hwmKiB: number
  /** resident set now, KiB */
  readonly rssKiB: number
}

export async function readMemory (pid: number): Promise<MemorySample | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const field = (name: string): number => Number(/^(\w+):\s+(\d+) kB$/m.exec(status.slice(status.indexOf(`${name}:`)))?.[2] ?? NaN)
    const sample = { hwmKiB: field('VmHWM'), rssKiB: field('VmRSS') }
    return Number.isFinite(sample.hwmKiB) && Number.isFinite(sample.rssKiB) ? sample : null
  } catch {
    return null
  }
}

/** Resets the peak to the current RSS; false where the kernel or permissions do not allow it. */
export async function resetPeak (pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
