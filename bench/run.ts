// `npm run bench [-- options]`: runs the suite (bench/lib/suite.ts), writes bench/results/<time>-<commit>.json
// and .html, prints the markdown summary on stdout (progress goes to stderr). Exits 1 when any
// scenario failed, so CI's `--quick` smoke run fails loudly; skipped scenarios (no openid-connect
// plugin in this build) do not fail it.

import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { htmlReport } from './lib/html-report.ts'
import { markdownReport } from './lib/markdown.ts'
import { parseOptions, USAGE } from './lib/options.ts'
import { runSuite } from './lib/suite.ts'

const options = parseOptions(process.argv.slice(2))
if (options === null) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

const log = (line: string): void => { process.stderr.write(`${line}\n`) }
const results = await runSuite(options, log)
await mkdir(options.outDir, { recursive: true })
const stamp = results.startedAt.replace(/[:.]/g, '-').slice(0, 19)
const base = join(options.outDir, `${stamp}-${results.commit.sha?.slice(0, 8) ?? 'nogit'}${options.quick ? '-quick' : ''}`)
await writeFile(`${base}.json`, JSON.stringify(results, null, 1))
await writeFile(`${base}.html`, htmlReport(results))
process.stdout.write(markdownReport(results))
log(`results: ${base}.json\nreport:  ${base}.html`)
const failed = results.scenarios.filter((s) => s.status === 'failed')
if (failed.length > 0) log(`FAILED: ${failed.map((s) => `${s.name} (${s.mode})`).join(', ')}`)
process.exit(failed.length > 0 ? 1 : 0)
