// `npm run bench -- [options]`: what to run and for how long. --quick is the CI smoke mode: every
// scenario, briefly (well under 90 s in all), fewer oidc credentials.

import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

export interface BenchOptions {
  readonly quick: boolean
  /** seconds measured per run */
  readonly durationS: number
  /** seconds of unrecorded load before each run */
  readonly warmupS: number
  readonly runs: number
  readonly connections: number
  /** gateway workers for the `workers` scenarios */
  readonly workers: number
  /** fixed-rate req/s; null: half of the `proxy` saturation rate of this run */
  readonly rate: number | null
  /** distinct credentials of `oidc-many` */
  readonly manyCredentials: number
  /** distinct credentials `oidc-cold` may use over all its runs (IdP clients and broker entries) */
  readonly coldCredentials: number
  /** distinct credentials `cluster-cold` may use over all its runs (IdP clients) */
  readonly clusterColdCredentials: number
  /** scenario names to run (null: all) */
  readonly only: readonly string[] | null
  readonly outDir: string
  readonly cpuProf: boolean
  readonly timeoutS: number
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick              every scenario briefly (the CI smoke check)
  --duration S         seconds measured per run (10; quick 1)
  --warmup S           seconds of warm-up load before each run (2; quick 0.3)
  --runs N             runs per scenario and mode, the median is reported (3; quick 1)
  --connections N      requests in flight: autocannon connections, h2 streams, handshaking clients (50; quick 10)
  --workers N          gateway workers in the "workers" scenarios (2)
  --rate R             fixed-rate req/s (default: half the proxy saturation rate of this run)
  --many N             distinct credentials in oidc-many (10000; quick 500)
  --cold N             distinct credentials oidc-cold may use in all (40000; quick 1500)
  --cluster-cold N     distinct credentials cluster-cold may use in all (20000; quick 600)
  --only a,b           only these scenarios (direct, floor, floor-bare, proxy, oidc-hot, oidc-hot-redis,
                       oidc-many, oidc-cold, cluster-cold, oidc-bearer, oidc-introspect, oidc-bearer-verify-each,
                       key-auth, rate-limiting, cors, request-transformer, balanced, stack,
                       floor-tls, tls, floor-h2, h2, floor-tls-handshake, tls-handshake,
                       floor-kong, floor-tls-kong, floor-h2-kong,
                       workers:proxy, workers:oidc-hot)
                       oidc-hot-redis and cluster-cold need redis-server on the PATH (skipped without)
  --out DIR            where the JSON and HTML results go (bench/results)
  --cpu-prof           write gateway and floor CPU profiles (node --cpu-prof) under DIR/profiles
  -h, --help`

const DEFAULT_OUT = fileURLToPath(new URL('../results', import.meta.url))

export function parseOptions (argv: readonly string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      connections: { type: 'string' },
      workers: { type: 'string' },
      rate: { type: 'string' },
      many: { type: 'string' },
      cold: { type: 'string' },
      'cluster-cold': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) return null
  const quick = values.quick
  return {
    quick,
    durationS: number('--duration', values.duration, quick ? 1 : 10),
    warmupS: number('--warmup', values.warmup, quick ? 0.3 : 2),
    runs: integer('--runs', values.runs, quick ? 1 : 3),
    connections: integer('--connections', values.connections, quick ? 10 : 50),
    workers: integer('--workers', values.workers, 2),
    rate: values.rate === undefined ? null : number('--rate', values.rate, 0),
    manyCredentials: integer('--many', values.many, quick ? 500 : 10_000),
    coldCredentials: integer('--cold', values.cold, quick ? 1500 : 40_000),
    clusterColdCredentials: integer('--cluster-cold', values['cluster-cold'], quick ? 600 : 20_000),
    only: values.only === undefined ? null : values.only.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    outDir: values.out ?? DEFAULT_OUT,
    cpuProf: values['cpu-prof'],
    timeoutS: 10
  }
}

function number (flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, got '${text}'`)
  return value
}

function integer (flag: string, text: string | undefined, fallback: number): number {
  const value = number(flag, text, fallback)
  if (!Number.isInteger(value)) throw new Error(`${flag} needs a whole number, got '${text}'`)
  return value
}
