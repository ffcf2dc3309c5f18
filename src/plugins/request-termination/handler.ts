// Kong's request-termination plugin (kong/plugins/request-termination/handler.lua): answers requests
// itself (maintenance windows, stubs, debugging with `echo`). With `trigger`, only requests carrying that
// header (any case) or query argument (exact name) are terminated; the others go on as if it were absent.
// Its answers are kong.response.exit's: a table body as JSON without a request_id, a string body with
// only the configured Content-Type (none when unset: Kong's proxy location has `default_type ''`).

import type { Plugin } from '../../config/types.ts'
import type { PhaseResult, PluginInstance, ProxyContext } from '../types.ts'
import { echoBody, queryArgs } from './echo.ts'

export interface RequestTerminationConfig {
  readonly status_code: number
  readonly message: string | null
  readonly body: string | null
  readonly content_type: string | null
  readonly trigger: string | null
  readonly echo: boolean
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** handler.lua's DEFAULT_RESPONSE: the message when none is configured */
const DEFAULT_RESPONSE: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'An unexpected error occurred',
  502: 'Bad Gateway',
  503: 'Service unavailable'
}

/**
 * Without a message, kong.response.exit(status) sends no body, and nginx hands the statuses Kong has an
 * error_page for (kong/templates/nginx_kong.lua) to kong/error_handlers.lua, which writes these. Other
 * statuses get an empty body (where nginx would write its own HTML page for some of them).
 */
const ERROR_HANDLER_BODIES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  408: 'Request timeout',
  411: 'Length required',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  417: 'Expectation failed',
  494: 'Request header or cookie too large',
  504: 'The upstream server is timing out'
}

export function createRequestTermination (plugin: Plugin, priority: number): PluginInstance {
  const config = plugin.config as unknown as RequestTerminationConfig
  const status = config.status_code
  const message = config.message ?? DEFAULT_RESPONSE[status]
  const headerTrigger = config.trigger === null ? null : config.trigger.toLowerCase()
  const answer = fixedAnswer(config, message)

  function access (ctx: ProxyContext): PhaseResult {
    let args = null
    if (headerTrigger !== null && ctx.req.headers[headerTrigger] === undefined) {
      args = queryArgs(ctx.query)
      if (args[config.trigger!] === undefined) return
    }
    if (config.echo) return echo(ctx, status, message, args ?? queryArgs(ctx.query))
    answer(ctx)
  }
  return Object.freeze({ name: plugin.name, id: plugin.id, priority, access, headerFilter: null, bodyFilter: null, log: null, close: noop })
}

async function echo (ctx: ProxyContext, status: number, message: string | undefined, args: ReturnType<typeof queryArgs>): Promise<void> {
  ctx.respond(status, await echoBody(ctx, message, args), JSON_TYPE)
}

/** The answer when echo is off, decided once per instance. */
function fixedAnswer (config: RequestTerminationConfig, message: string | undefined): (ctx: ProxyContext) => void {
  const status = config.status_code
  if (config.body !== null) {
    const body = config.body
    // '' asks respond() for no Content-Type at all
    const type = config.content_type ?? ''
    return (ctx) => ctx.respond(status, body, type)
  }
  if (message !== undefined) {
    const body = JSON.stringify({ message })
    return (ctx) => ctx.respond(status, body, JSON_TYPE)
  }
  const handled = ERROR_HANDLER_BODIES[status]
  // error_handlers.lua turns nginx's internal 494 back into 400
  if (handled !== undefined) return (ctx) => ctx.exit(status === 494 ? 400 : status, handled)
  return (ctx) => ctx.respond(status, '', '')
}

function noop (): void {}
