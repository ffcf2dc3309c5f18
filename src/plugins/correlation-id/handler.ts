// Kong's correlation-id handler (kong/plugins/correlation-id/handler.lua), in a proxy worker.
//   access         CorrelationIdHandler:access: a request that carries the header keeps it (Kong never
//                  overwrites it); without it, or with an empty value (nginx and Node both trim, so " "
//                  is empty too), an id is generated and set on the upstream request.
//   header_filter  CorrelationIdHandler:header_filter, with echo_downstream only: the id goes back on
//                  the response. Kong keeps the id access decided in kong.ctx.plugin; Tollgate reads it
//                  back from the upstream headers (no per-request allocation), which is the same value
//                  unless a later plugin rewrote that header. Without one (access did not run), the
//                  request's own header, else a fresh id, as Kong.
// Everything that depends on the config (the lower-cased header name, the generator) is chosen here once.

import type { Plugin } from '../../config/types.ts'
import type { PluginInstance, ProxyContext } from '../types.ts'
import { tracker, uuid, uuidCounter } from './generators.ts'
import type { Generator } from './schema.ts'

export interface CorrelationIdConfig {
  readonly header_name: string
  readonly generator: Generator
  readonly echo_downstream: boolean
}

/** A generator as a number: the access phase switches on it instead of calling through a closure. */
const UUID = 0
const UUID_COUNTER = 1
const TRACKER = 2
const GENERATOR_CODES: Readonly<Record<Generator, number>> = { uuid: UUID, 'uuid#counter': UUID_COUNTER, tracker: TRACKER }

export class CorrelationId implements PluginInstance {
  readonly name: string
  readonly id: string
  readonly priority: number
  readonly access: (ctx: ProxyContext) => void
  readonly headerFilter: ((ctx: ProxyContext, status: number, headers: Record<string, string | string[]>) => void) | null
  readonly bodyFilter: null = null
  readonly log: null = null
  /** lower-cased: upstream and request header objects are keyed so */
  readonly #header: string
  readonly #generator: number

  constructor (plugin: Plugin, priority: number) {
    const config = plugin.config as unknown as CorrelationIdConfig
    this.name = plugin.name
    this.id = plugin.id
    this.priority = priority
    this.#header = config.header_name.toLowerCase()
    this.#generator = GENERATOR_CODES[config.generator]
    // bound once per instance: the chain calls phases as plain functions
    this.access = this.#access.bind(this)
    this.headerFilter = config.echo_downstream ? this.#headerFilter.bind(this) : null
  }

  #access (ctx: ProxyContext): void {
    const current = ctx.req.headers[this.#header]
    if (nonEmpty(current)) return
    ctx.upstreamHeaders[this.#header] = this.generate(ctx)
  }

  #headerFilter (ctx: ProxyContext, _status: number, headers: Record<string, string | string[]>): void {
    const sent = ctx.upstreamHeaders[this.#header]
    const own = ctx.req.headers[this.#header]
    headers[this.#header] = nonEmpty(sent) ? sent : nonEmpty(own) ? own : this.generate(ctx)
  }

  /** A new id from the configured generator. */
  generate (ctx: ProxyContext): string {
    switch (this.#generator) {
      case UUID: return uuid()
      case UUID_COUNTER: return uuidCounter()
      default: return tracker(ctx.req.socket ?? null)
    }
  }

  close (): void {}
}

function nonEmpty<T extends string | string[]> (value: T | undefined): value is T {
  return value !== undefined && value !== ''
}

export function createCorrelationId (plugin: Plugin, priority: number): PluginInstance {
  return new CorrelationId(plugin, priority)
}
