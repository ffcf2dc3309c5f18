// The command line of the two counting tools (bench/instructions.ts, bench/cpu.ts): an integer option, and
// the start every tool shares: --help prints the usage, a bad option is one line and exit 2, not a stack.

import type { Scenario } from './scenarios.ts'
import { toolScenarios } from './tool-subjects.ts'

/** An integer option of at least `min`, `fallback` when absent; throws a one-line error otherwise. */
export function integerOption (flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer of at least ${min}, not ${value}`)
  return n
}

/**
 * The tool's options from its arguments (`parse` returns null for --help), or null when the tool is to stop:
 * it printed the usage, or it reported a bad option (`tool: message`) and set exit code 2.
 */
export function toolOptions<T> (tool: string, usage: string, parse: (argv: readonly string[]) => T | null): T | null {
  let options: T | null
  try {
    options = parse(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`${tool}: ${(err as Error).message}\n`)
    process.exitCode = 2
    return null
  }
  if (options === null) process.stdout.write(usage + '\n')
  return options
}

/** node:util parseArgs's options both tools take */
export const TOOL_ARGS = {
  only: { type: 'string' },
  warmup: { type: 'string' },
  requests: { type: 'string' },
  rounds: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean' }
} as const

/** parseArgs's values for TOOL_ARGS */
interface ToolArgValues {
  readonly only?: string
  readonly warmup?: string
  readonly requests?: string
  readonly rounds?: string
  readonly out?: string
}

/** A tool's defaults: how many requests warm a subject up and are counted, and in how many rounds. */
export interface ToolDefaults {
  readonly warmup: number
  readonly requests: number
  readonly rounds: number
}

/** The options both tools read from TOOL_ARGS, with the tool's defaults (throws on a bad one). */
export function commonToolOptions (values: ToolArgValues, usage: string, defaults: ToolDefaults): ToolOptions {
  return {
    only: toolScenarios(values.only ?? 'floor-tls,floor-tls-kong,tls', usage),
    warmup: integerOption('--warmup', values.warmup, defaults.warmup, 0),
    requests: integerOption('--requests', values.requests, defaults.requests, 1),
    rounds: integerOption('--rounds', values.rounds, defaults.rounds, 1),
    out: values.out ?? null
  }
}

/** what both tools read from TOOL_ARGS */
export interface ToolOptions {
  readonly only: readonly Scenario[]
  readonly warmup: number
  readonly requests: number
  readonly rounds: number
  readonly out: string | null
}
