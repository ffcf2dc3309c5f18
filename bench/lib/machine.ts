// What the results were measured on: CPUs, memory, Node, and the git commit (with a dirty flag, since
// a bench of uncommitted changes is not the commit's bench).

import { execFileSync } from 'node:child_process'
import { arch, cpus, platform, release, totalmem } from 'node:os'

export interface MachineInfo {
  readonly cpuModel: string
  readonly cpus: number
  readonly memoryGiB: number
  readonly node: string
  readonly platform: string
}

export interface CommitInfo {
  readonly sha: string | null
  readonly dirty: boolean | null
}

export function machineInfo (): MachineInfo {
  const list = cpus()
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`
  }
}

export function commitInfo (): CommitInfo {
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      return null
    }
  }
  const sha = git('rev-parse', 'HEAD')
  const status = git('status', '--porcelain', '--untracked-files=no')
  return { sha, dirty: status === null ? null : status !== '' }
}
