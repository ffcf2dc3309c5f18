// Kong's request-termination plugin: answers every request itself (maintenance windows, stubs). With
// `trigger`, only requests carrying that header or query argument are terminated.

import type { Plugin } from '../../config/types.ts'
import type { PluginInstance, ProxyContext } from '../types.ts'

interface RequestTerminationConfig {
  readonly status_code: number
  readonly message: string | null
  readonly body: string | null
  readonly content_type: string | null
  readonly trigger: string | null
  readonly echo: boolean
}

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = { 503: 'Service unavailable' }

export function createRequestTermination (plugin: Plugin, priority: number): PluginInstance {
  const config = plugin.config as unknown as RequestTerminationConfig
  const trigger = config.trigger === null ? null : config.trigger.toLowerCase()
  const message = config.message ?? DEFAULT_MESSAGES[config.status_code] ?? 'Request terminated'
  function access (ctx: ProxyContext): void {
    if (trigger !== null && ctx.req.headers[trigger] === undefined && !hasQueryArg(ctx.query, trigger)) return
    if (config.echo) {
      const echo = { message, kong: { request_id: ctx.requestId }, request: { method: ctx.req.method, path: ctx.path, headers: ctx.req.headers } }
      return ctx.respond(config.status_code, JSON.stringify(echo), 'application/json; charset=utf-8')
    }
    if (config.body !== null) return ctx.respond(config.status_code, config.body, config.content_type ?? 'application/json; charset=utf-8')
    ctx.exit(config.status_code, message)
  }
  return Object.freeze({ name: plugin.name, id: plugin.id, priority, access, headerFilter: null, log: null, close: noop })
}

function hasQueryArg (query: string, name: string): boolean {
  if (query === '') return false
  return new URLSearchParams(query).has(name)
}

function noop (): void {}
