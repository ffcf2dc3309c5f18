// GET / and GET /status in Kong's shapes (Kong's kong/api/routes/kong.lua), DB-less flavour.

import { hostname } from 'node:os'
import type { LoadedConfig } from '../config/types.ts'
import { pluginSchemas } from '../plugins/schemas.ts'
import { REDACTED } from '../core/redact-url.ts'
import { VERSION } from '../core/version.ts'
import type { StatsTotals } from '../workers/worker-stats.ts'
import type { AdminHandler, AdminResult } from './types.ts'

export interface GatewayView {
  readonly nodeId: string
  config (): LoadedConfig
  stats (): StatsTotals
  workerThreadIds (): number[]
}

export function kongInfoHandler (gateway: GatewayView): AdminHandler {
  return (req) => {
    if (req.method !== 'GET') return null
    if (req.pathname === '/') return root(gateway)
    if (req.pathname === '/status') return status(gateway)
    return null
  }
}

function root (gateway: GatewayView): AdminResult {
  const config = gateway.config()
  const available: Record<string, { version: string, priority: number }> = {}
  for (const [name, info] of pluginSchemas) available[name] = { version: info.VERSION, priority: info.PRIORITY }
  const enabled = [...new Set(config.entities.plugins.filter((p) => p.enabled).map((p) => p.name))].sort()
  return {
    status: 200,
    body: {
      tagline: 'Welcome to tollgate',
      version: VERSION,
      edition: 'community',
      hostname: hostname(),
      node_id: gateway.nodeId,
      node_version: process.version,
      timers: { running: 0, pending: 0 },
      plugins: { available_on_server: available, enabled_in_cluster: enabled },
      configuration: configurationView(config),
      pids: { master: process.pid, workers: gateway.workerThreadIds() }
    }
  }
}

/** kong.conf-style settings as Kong shows them (its sensitive ones removed: admin_token), entities not included. */
function configurationView (config: LoadedConfig): Record<string, unknown> {
  const s = config.settings
  return {
    ...s,
    admin_token: s.admin_token === null ? null : REDACTED,
    proxy_listen: s.proxy_listen.map((a) => [`${a.host}:${a.port}`, ...a.flags].join(' ')),
    admin_listen: s.admin_listen.map((a) => [`${a.host}:${a.port}`, ...a.flags].join(' ')),
    database: 'off',
    declarative_config: config.source,
    router_flavor: 'traditional_compatible',
    _format_version: config.format_version
  }
}

function status (gateway: GatewayView): AdminResult {
  const totals = gateway.stats()
  const writing = totals.requestsInFlight
  return {
    status: 200,
    body: {
      server: {
        connections_active: totals.connectionsActive,
        connections_reading: 0,
        connections_writing: writing,
        connections_waiting: Math.max(0, totals.connectionsActive - writing),
        connections_accepted: totals.connectionsAccepted,
        connections_handled: totals.connectionsHandled,
        total_requests: totals.requestsTotal
      },
      memory: memoryView(),
      configuration_hash: gateway.config().hash
    }
  }
}

function memoryView (): Record<string, unknown> {
  const usage = process.memoryUsage()
  const mib = (n: number): string => `${(n / 1048576).toFixed(2)} MiB`
  return {
    workers_lua_vms: [],
    node: { rss: mib(usage.rss), heap_used: mib(usage.heapUsed), heap_total: mib(usage.heapTotal), external: mib(usage.external) }
  }
}
