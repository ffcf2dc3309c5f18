// `npm run bench:hostile -- [options]`: which attacks, how big, and the normal traffic beside them.
// --quick shrinks every attack so the whole run stays well under a minute (a smoke check, not a measure).

import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

export const ATTACK_NAMES = ['upload', 'form-amp', 'basic-flood', 'long-host', 'http09', 'drip-idp'] as const
export type AttackName = typeof ATTACK_NAMES[number]

export interface HostileOptions {
  readonly quick: boolean
  readonly only: readonly AttackName[] | null
  /** normal traffic, req/s on each of the two routes, paced */
  readonly rate: number
  readonly connections: number
  readonly workers: number
  /** seconds of normal traffic before the baseline is taken */
  readonly warmupS: number
  /** the normal traffic goes on this long after the attack, so the requests it held up are answered and counted */
  readonly trafficTailMs: number
  /** no attack runs longer than this; it stops by itself and says so */
  readonly attackTimeoutS: number
  readonly uploadBytes: number
  readonly formBytes: number
  readonly formCount: number
  readonly basicCount: number
  readonly basicBytes: number
  readonly hostCount: number
  readonly hostBytes: number
  readonly http09Count: number
  /** the dripping IdP sends one body byte a second for this long */
  readonly dripS: number
  readonly outDir: string
}

export const USAGE = `Usage: npm run bench:hostile -- [options]

  --quick          every attack shrunk (64 MiB upload, 2 forms, 1,024 Basic headers, 48 hosts ...): < 60 s in all
  --only a,b       only these attacks (${ATTACK_NAMES.join(', ')})
  --rate R         normal traffic per route, req/s (100; quick 50)
  --connections N  connections per normal-traffic route (4)
  --workers N      gateway worker threads (1)
  --out DIR        where the JSON goes (bench/results)
  -h, --help`

const MiB = 1024 * 1024
const DEFAULT_OUT = fileURLToPath(new URL('../../results', import.meta.url))

export function parseHostileOptions (argv: readonly string[]): HostileOptions | null {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      rate: { type: 'string' },
      connections: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) return null
  const quick = values.quick
  return {
    quick,
    only: values.only === undefined ? null : attackNames(values.only),
    rate: whole('--rate', values.rate, quick ? 50 : 100),
    connections: whole('--connections', values.connections, 4),
    workers: whole('--workers', values.workers, 1),
    // quick is a smoke check: half a second of 50 req/s per route still caches the token and shows both routes answer
    warmupS: quick ? 0.5 : 3,
    trafficTailMs: quick ? 500 : 1000,
    attackTimeoutS: quick ? 15 : 180,
    uploadBytes: quick ? 64 * MiB : 1024 * MiB,
    formBytes: MiB,
    formCount: quick ? 2 : 5,
    basicCount: quick ? 1024 : 16_384,
    basicBytes: 15 * 1024,
    hostCount: quick ? 48 : 512,
    hostBytes: 64 * 1024,
    http09Count: quick ? 4 : 16,
    dripS: quick ? 5 : 30,
    outDir: values.out ?? DEFAULT_OUT
  }
}

function attackNames (text: string): AttackName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = names.filter((n) => !(ATTACK_NAMES as readonly string[]).includes(n))
  if (unknown.length > 0) throw new Error(`unknown attack(s): ${unknown.join(', ')} (known: ${ATTACK_NAMES.join(', ')})`)
  return names as AttackName[]
}

function whole (flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive whole number, got '${text}'`)
  return value
}
