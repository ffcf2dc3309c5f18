// The plugin scenarios of issue 14 (part 8): each bundled plugin on the hot path with a config that lets
// every request through, so `<plugin> / proxy` is what the plugin costs a request that passes it. Each
// scenario's route gets the plugins below; the headers a scenario sends are in bench/lib/scenarios.ts.
// The configs use Kong's field names and defaults (README.md "Plugins shipped"); `stack` is the combination
// the issue names, as real files use it: key-auth + acl + rate-limiting + correlation-id.

import { request } from 'undici'

/** the one consumer's key-auth key: no special characters, sent as `apikey` (Kong's default key_names) */
export const BENCH_API_KEY = 'bench-api-key'
/** the Origin the cors scenario sends, and the one origin its config allows */
export const BENCH_ORIGIN = 'http://bench.example'

type PluginConfig = Record<string, unknown>

const keyAuth = (): PluginConfig => ({ name: 'key-auth', config: {} })
// a limit never reached at any rate this machine can make: the counting is measured, not the 429
const rateLimiting = (): PluginConfig => ({ name: 'rate-limiting', config: { second: 1_000_000, policy: 'local' } })
const cors = (): PluginConfig => ({ name: 'cors', config: { origins: [BENCH_ORIGIN] } })
const requestTransformer = (): PluginConfig =>
  ({ name: 'request-transformer', config: { add: { headers: ['x-bench-one:1', 'x-bench-two:2'] } } })
const correlationId = (): PluginConfig => ({ name: 'correlation-id', config: {} })
/** the bench consumer's acl group, the one the stack's acl allows */
const BENCH_GROUP = 'bench-clients'
const acl = (): PluginConfig => ({ name: 'acl', config: { allow: [BENCH_GROUP] } })

const PLUGINS: Readonly<Record<string, () => PluginConfig[]>> = {
  'key-auth': () => [keyAuth()],
  'rate-limiting': () => [rateLimiting()],
  cors: () => [cors()],
  'request-transformer': () => [requestTransformer()],
  stack: () => [keyAuth(), acl(), rateLimiting(), correlationId()]
}

/** The plugins of a non-oidc scenario's route; null: not a plugin scenario. */
export function benchPlugins (scenario: string): PluginConfig[] | null {
  return PLUGINS[scenario]?.() ?? null
}

/** The consumers a gateway needs: the key-auth consumer when a route has key-auth. */
export function benchConsumers (plugins: ReadonlyArray<readonly PluginConfig[]>): PluginConfig[] {
  const keyAuthUsed = plugins.some((list) => list.some((p) => p.name === 'key-auth'))
  return keyAuthUsed ? [{ username: 'bench', keyauth_credentials: [{ key: BENCH_API_KEY }], acls: [{ group: BENCH_GROUP }] }] : []
}

interface Probe {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/**
 * Before any load: each plugin scenario's route has its plugins (Admin API) and they act where the
 * response can show it: key-auth refuses a request without the key, rate-limiting counts, cors answers the
 * Origin. A bench whose plugins silently did nothing would otherwise measure `proxy` five more times.
 * request-transformer and correlation-id act upstream only (the bench upstream echoes nothing), so for
 * them the Admin API listing is the check.
 */
export async function checkPluginScenarios (proxyUrl: string, adminUrl: string, names: readonly string[]): Promise<void> {
  const probe = async (path: string, headers: Record<string, string>): Promise<Probe> => {
    const res = await request(`${proxyUrl}${path}`, { headers })
    await res.body.dump()
    return { status: res.statusCode, headers: res.headers }
  }
  if (names.includes('balanced')) await checkBalanced(probe, adminUrl)
  for (const name of names) {
    const wanted = benchPlugins(name)
    if (wanted === null) continue
    const res = await request(`${adminUrl}/routes/${name}/plugins`)
    const body = await res.body.json() as { data?: Array<{ name?: string }> }
    const listed = (body.data ?? []).map((p) => p.name).sort()
    const expected = wanted.map((p) => p.name as string).sort()
    if (JSON.stringify(listed) !== JSON.stringify(expected)) throw new Error(`route ${name}: plugins ${listed.join(', ')}, expected ${expected.join(', ')}`)
    const keyed = expected.includes('key-auth')
    const ok = await probe(`/${name}`, keyed ? { apikey: BENCH_API_KEY, origin: BENCH_ORIGIN } : { origin: BENCH_ORIGIN })
    const problems: string[] = []
    if (ok.status !== 200) problems.push(`status ${ok.status}`)
    if (keyed && (await probe(`/${name}`, {})).status !== 401) problems.push('no 401 without the key')
    if (expected.includes('rate-limiting') && ok.headers['x-ratelimit-limit-second'] !== '1000000') problems.push('no X-RateLimit-Limit-Second: 1000000')
    if (expected.includes('cors') && ok.headers['access-control-allow-origin'] !== BENCH_ORIGIN) problems.push('no Access-Control-Allow-Origin')
    if (problems.length > 0) throw new Error(`plugin scenario ${name}: ${problems.join('; ')}`)
  }
}

/** `balanced`: its upstream has the three targets, each resolved to one address, and the route answers. */
async function checkBalanced (probe: (path: string, headers: Record<string, string>) => Promise<Probe>, adminUrl: string): Promise<void> {
  const res = await request(`${adminUrl}/upstreams/bench-balanced.upstream/health`)
  const body = await res.body.json() as { data?: Array<{ data?: { addresses?: unknown[] } }> }
  const addresses = (body.data ?? []).map((target) => target.data?.addresses?.length ?? 0)
  if (addresses.length !== 3 || addresses.some((count) => count !== 1)) throw new Error(`balanced: targets with addresses ${JSON.stringify(addresses)}, expected 3 targets of 1`)
  for (let i = 0; i < 3; i++) {
    const reply = await probe('/balanced', {})
    if (reply.status !== 200) throw new Error(`balanced: status ${reply.status}`)
  }
}
