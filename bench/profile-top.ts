// `node bench/profile-top.ts <dir or .cpuprofile> [n]`: the functions with the most self time in CPU
// profiles written by `npm run bench -- --cpu-prof` (one file per gateway thread), so a missed target
// comes with what the gateway spent its time on. Shares are of each thread's busy (non-idle) time.

import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string, readonly url: string, readonly lineNumber: number }
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

const target = process.argv[2]
const limit = Number(process.argv[3] ?? 25)
if (target === undefined) {
  process.stderr.write('Usage: node bench/profile-top.ts <dir or file.cpuprofile> [n]\n')
  process.exit(2)
}
const files = (await stat(target)).isDirectory()
  ? (await readdir(target)).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(target, f))
  : [target]

for (const file of files) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame
    const where = frame.url === '' ? '' : ` ${relative(process.cwd(), frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}`
    const name = `${frame.functionName || '(anonymous)'}${where}`
    const us = profile.timeDeltas[i] ?? 0
    self.set(name, (self.get(name) ?? 0) + us)
    total += us
  })
  // a thread that was idle all along is not worth a table
  const busy = total - (self.get('(idle)') ?? 0)
  if (busy < total * 0.05) continue
  process.stdout.write(`\n${relative(process.cwd(), file)}: ${(total / 1e6).toFixed(1)} s sampled, ${(100 * busy / total).toFixed(1)}% busy\n`)
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, limit)
  // shares of the busy time: how the thread spent the time it was working
  for (const [name, us] of rows) {
    if (name !== '(idle)') process.stdout.write(`${(100 * us / busy).toFixed(1).padStart(6)}%  ${name}\n`)
  }
}
