// The client side of load-balancing tests: many requests through the gateway over a few keep-alive
// connections, tallied by what answered them (the body of a target-servers.ts server is its name; any
// other answer is tallied as `<status> <body>`), and the weight arithmetic the assertions use.

import { Agent } from 'node:http'
import { send, type Reply } from './gateway.ts'

export interface SendManyOptions {
  /** requests in flight at once (each over its own keep-alive connection) */
  readonly concurrency?: number
  /** headers for request number i */
  readonly headers?: (i: number) => Record<string, string>
  /** path for request number i (default: `path` as given) */
  readonly path?: (i: number) => string
}

/** Sends `count` GETs to `url` and counts the answers by body (200s) or by `<status> <body>`. */
export async function sendMany (url: string, count: number, options: SendManyOptions = {}): Promise<Record<string, number>> {
  const concurrency = options.concurrency ?? 8
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const tally: Record<string, number> = {}
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++
      const target = options.path === undefined ? url : url + options.path(i)
      const reply = await send(target, { agent, headers: options.headers?.(i) })
      const key = answerKey(reply)
      tally[key] = (tally[key] ?? 0) + 1
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, lane))
  } finally {
    agent.destroy()
  }
  return tally
}

/** A target server's name for a 200, `<status> <body>` for anything else. */
export function answerKey (reply: Reply): string {
  return reply.status === 200 ? reply.text : `${reply.status} ${reply.text}`
}

/** The requests each name should get out of `total`, in proportion to `weights`. */
export function expectedShares (weights: Record<string, number>, total: number): Record<string, number> {
  const sum = Object.values(weights).reduce((a, b) => a + b, 0)
  return Object.fromEntries(Object.entries(weights).map(([name, weight]) => [name, total * weight / sum]))
}

/** Names whose count is further than `tolerance` from its expected share, with both numbers (empty: all within). */
export function offShares (counts: Record<string, number>, expected: Record<string, number>, tolerance: number): string[] {
  const off: string[] = []
  for (const [name, share] of Object.entries(expected)) {
    const got = counts[name] ?? 0
    if (Math.abs(got - share) > tolerance) off.push(`${name}: got ${got}, expected ${share} ± ${tolerance}`)
  }
  for (const name of Object.keys(counts)) if (!(name in expected)) off.push(`${name}: got ${counts[name]}, expected none`)
  return off
}
