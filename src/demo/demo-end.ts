// How a demo ends, whichever it is (run.ts, run-nodes.ts): with --once, say the steps passed and stop; else
// print the commands to try and stay up until Ctrl-C (or SIGTERM), then stop.

/** Resolves with the exit code once the demo stopped; `cleanup` stops what the demo started. */
export async function endDemo (once: boolean, tryIt: readonly string[], out: (line?: string) => void,
  cleanup: () => Promise<void>): Promise<number> {
  if (once) {
    out('All steps gave the expected answers.')
    await cleanup()
    return 0
  }
  for (const line of tryIt) out(line)
  out('Press Ctrl-C to stop.')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  out()
  out('Stopping...')
  await cleanup()
  return 0
}

/** What a demo started, stopped in reverse order; a step that fails does not keep the others running. */
export class Cleanups {
  readonly #steps: Array<() => Promise<void>> = []

  push (step: () => Promise<void>): void {
    this.#steps.push(step)
  }

  readonly run = async (): Promise<void> => {
    for (const step of this.#steps.splice(0).reverse()) await step().catch(() => {})
  }
}
