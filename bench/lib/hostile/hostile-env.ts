// The processes every attack shares: the load generator (normal traffic), the upstream (started with
// `record`, so it counts what reached it), the real IdP, and, for drip-idp, the dripping IdP; and the
// gateway config each attack's fresh gateway gets.

import { BenchChild } from '../child.ts'
import type { CpuPlan } from '../cpu-plan.ts'
import { BENCH_CLIENT_SECRET, hotPluginConfig } from '../oidc-setup.ts'
import type { Attack } from './attacks.ts'
import { startDripIdp, type DripIdp } from './drip-idp.ts'
import type { HostileOptions } from './options.ts'

const PROC = (name: string): URL => new URL(`../../procs/${name}.ts`, import.meta.url)
export const HOT_SET = 'hostile-hot'
/** the drip route's plugin gives up on the IdP after this long (Kong's `timeout`, ms) */
export const DRIP_TIMEOUT_MS = 2000

export interface HostileEnv {
  readonly plan: CpuPlan
  readonly load: BenchChild
  readonly upstream: BenchChild
  readonly idp: BenchChild
  readonly drip: DripIdp | null
  close (): Promise<void>
}

export async function startHostileEnv (plan: CpuPlan, options: HostileOptions, needDrip: boolean): Promise<HostileEnv> {
  const started: Array<{ stop: () => Promise<void> }> = []
  const close = async (): Promise<void> => {
    for (const one of started.reverse()) await one.stop().catch(() => {})
  }
  try {
    const load = await BenchChild.start('load generator', PROC('load-generator'), { cpus: plan.load })
    started.push(load)
    const upstream = await BenchChild.start('upstream', PROC('upstream'), { cpus: plan.support, args: ['record'] })
    started.push(upstream)
    const idp = await BenchChild.start('IdP', PROC('idp'), { cpus: plan.support, args: [JSON.stringify({ extraSecretClients: 0, extraJwtClients: 0 })] })
    started.push(idp)
    const hot = (idp.info.secretClient as { client_id: string }).client_id
    await load.call('credentials', { name: HOT_SET, pairs: [[hot, BENCH_CLIENT_SECRET]] })
    const drip = needDrip ? await startDripIdp(options.dripS) : null
    if (drip !== null) started.push({ stop: () => drip.close() })
    return { plan, load, upstream, idp, drip, close }
  } catch (err) {
    await close()
    throw err
  }
}

/**
 * The plain route `/proxy`, the openid-connect route `/oidc` (client credentials, Kong's default
 * `client_credentials_param_type` of header, query and body, so body attacks reach the body reader as on
 * a Kong-default route), and what the attack adds: a `*.example.com` route, a route to the dripping IdP.
 */
export function hostileConfig (env: HostileEnv, options: HostileOptions, attack: Attack): Record<string, unknown> {
  const issuer = env.idp.info.url as string
  const oidc = hotPluginConfig(issuer, 'bench-hostile')
  const routes: Array<Record<string, unknown>> = [
    { name: 'plain', paths: ['/proxy'] },
    { name: 'oidc', paths: ['/oidc'], plugins: [withConfig(oidc, { client_credentials_param_type: ['header', 'query', 'body'] })] }
  ]
  if (attack.wildcardRoute) routes.push({ name: 'wild', hosts: ['*.example.com'], paths: ['/wild'] })
  if (attack.dripRoute && env.drip !== null) {
    routes.push({ name: 'drip', paths: ['/drip'], plugins: [withConfig(hotPluginConfig(env.drip.url, 'bench-drip'), { timeout: DRIP_TIMEOUT_MS })] })
  }
  return {
    _format_version: '3.0',
    proxy_listen: '127.0.0.1:0',
    admin_listen: '127.0.0.1:0',
    worker_processes: options.workers,
    log_level: 'notice',
    headers: ['server_tokens', 'latency_tokens', 'x-kong-request-id'],
    ...attack.settings,
    services: [{ name: 'bench-upstream', url: env.upstream.info.url as string, routes }]
  }
}

function withConfig (plugin: Record<string, unknown>, more: Record<string, unknown>): Record<string, unknown> {
  return { ...plugin, config: { ...(plugin.config as Record<string, unknown>), ...more } }
}
