// Re-renders a results file: `node bench/report.ts <results.json>` prints its markdown summary and
// (re)writes the HTML report next to it, e.g. after a change to the report code.

import { readFile, writeFile } from 'node:fs/promises'
import { htmlReport } from './lib/html-report.ts'
import { markdownReport } from './lib/markdown.ts'
import type { BenchResults } from './lib/results-types.ts'

const file = process.argv[2]
if (file === undefined || !file.endsWith('.json')) {
  process.stderr.write('Usage: node bench/report.ts <results.json>\n')
  process.exit(2)
}
const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults
await writeFile(file.replace(/\.json$/, '.html'), htmlReport(results))
process.stdout.write(markdownReport(results))
