// Wires one running gateway together: the supervisor (workers, shared services) and the Admin listener.
// The CLI adds signals on top; tests start gateways through the CLI in a child process.

import { randomUUID } from 'node:crypto'
import { AdminServer } from './admin/server.ts'
import { kongInfoHandler } from './admin/kong-info.ts'
import { ConfigEndpoint } from './admin/config-endpoint.ts'
import { entitiesHandler } from './admin/entity-endpoints.ts'
import { upstreamsHandler } from './admin/upstream-endpoints.ts'
import { metricsHandler } from './admin/metrics-endpoint.ts'
import { upstreamHealthHandler } from './admin/upstream-health-endpoints.ts'
import { upstreamHealthMetricsSource } from './balancer/health-metrics-source.ts'
import type { AdminHandler } from './admin/types.ts'
import { gatewayMetricsSource } from './metrics/gateway-source.ts'
import { proxyMetricsSource } from './metrics/proxy-source.ts'
import { redisMetricsSource } from './redis/metrics-source.ts'
import { RedisStats } from './redis/stats.ts'
import { MetricsRegistry } from './metrics/registry.ts'
import { VERSION } from './core/version.ts'
import { loadConfigFiles } from './config/load.ts'
import type { LoadedConfig } from './config/types.ts'
import { keepRestartSettings } from './config/restart-settings.ts'
import { ConfigError } from './core/errors.ts'
import type { Logger } from './core/log.ts'
import { Supervisor, type ReloadResult } from './workers/supervisor.ts'

export class Gateway {
  readonly supervisor: Supervisor
  readonly admin: AdminServer
  readonly nodeId = randomUUID()
  /** what GET /metrics serves; register further MetricsSources here */
  readonly metrics: MetricsRegistry
  readonly #logger: Logger
  /** SIGHUP reloads refused because the file was invalid (POST /config counts its own) */
  #fileReloadsRejected = 0
  /** what `--config` named (files, folders), re-read on SIGHUP; null when the config came from elsewhere */
  readonly #files: readonly string[] | null

  constructor (config: LoadedConfig, files: readonly string[] | null, logger: Logger) {
    this.#logger = logger
    this.#files = files
    this.supervisor = new Supervisor(config, logger)
    const info = kongInfoHandler({
      nodeId: this.nodeId,
      config: () => this.supervisor.config,
      stats: () => this.supervisor.stats(),
      workerThreadIds: () => this.supervisor.workerThreadIds
    })
    const configEndpoint = new ConfigEndpoint({
      config: () => this.supervisor.config,
      reload: async (next) => await this.supervisor.reload(next),
      reloading: () => this.supervisor.reloading
    })
    this.metrics = new MetricsRegistry({ onError: (source, err) => logger.log('error', 'metrics_source_failed', { source, error: err }) })
    this.metrics.register('proxy', proxyMetricsSource(this.supervisor.routeMetrics))
    this.metrics.register('gateway', gatewayMetricsSource({
      nodeId: this.nodeId,
      version: VERSION,
      stats: () => this.supervisor.stats(),
      workerRestarts: () => this.supervisor.counters.workerRestarts,
      reloads: () => ({ success: this.supervisor.counters.reloadsSucceeded, failure: this.supervisor.counters.reloadsFailed, rejected: configEndpoint.rejected + this.#fileReloadsRejected }),
      metricErrors: () => this.metrics.errors
    }))
    this.metrics.register('upstreams', upstreamHealthMetricsSource(this.supervisor.upstreams, () => this.supervisor.config))
    this.metrics.register('redis', redisMetricsSource(new RedisStats(this.supervisor.redisStats)))
    const core = [
      info,
      entitiesHandler(() => this.supervisor.config),
      // before upstreamsHandler, which leaves the health paths to it
      upstreamHealthHandler(this.supervisor.upstreams, this.nodeId),
      upstreamsHandler(() => this.supervisor.config),
      configEndpoint.handle,
      metricsHandler(this.metrics)
    ]
    this.admin = new AdminServer({
      handlers: () => this.#adminHandlers(core),
      maxBodySize: () => this.supervisor.config.settings.admin_max_body_size,
      latencyHeader: () => {
        const headers = this.supervisor.config.settings.headers
        return headers.includes('latency_tokens') || headers.includes('x-kong-admin-latency')
      },
      security: () => ({ token: this.supervisor.config.settings.admin_token, allowedHosts: this.supervisor.config.settings.admin_allowed_hosts }),
      logger
    })
  }

  #adminHandlers (core: readonly AdminHandler[]): AdminHandler[] {
    const handlers = [...core]
    for (const service of this.supervisor.plugins.values()) {
      if (service.admin !== null) handlers.push(service.admin)
    }
    return handlers
  }

  async start (): Promise<void> {
    await this.supervisor.start()
    for (const [name, service] of this.supervisor.plugins) {
      if (service.metrics !== null) this.metrics.register(name, service.metrics)
    }
    const adminListen = this.supervisor.config.settings.admin_listen
    await this.admin.listen(adminListen)
    if (this.admin.addresses.length > 0) this.#logger.log('notice', 'admin_listening', { admin: this.admin.addresses })
  }

  /** SIGHUP: re-read the files (a folder's list afresh); an invalid file keeps the running config and logs why. */
  async reloadFromFile (): Promise<ReloadResult> {
    if (this.#files === null) return { ok: false, message: 'no config file to reload' }
    const source = this.#files.join(', ')
    let config: LoadedConfig
    try {
      config = await loadConfigFiles(this.#files)
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : (err as Error).message
      this.#fileReloadsRejected++
      this.#logger.log('error', 'reload_rejected', {
        source,
        issues: err instanceof ConfigError ? err.issues : undefined,
        error: err instanceof ConfigError ? undefined : err
      })
      return { ok: false, message }
    }
    const { config: live, changed } = keepRestartSettings(config, this.supervisor.config)
    if (changed.length > 0) {
      this.#logger.log('warn', 'reload_settings_need_restart', { source, settings: changed })
    }
    return await this.supervisor.reload(live)
  }

  async stop (): Promise<void> {
    await this.admin.close()
    await this.supervisor.stop()
  }
}
