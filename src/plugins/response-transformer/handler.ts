// Kong's response-transformer (kong/plugins/response-transformer/handler.lua): header_filter rewrites the
// downstream headers; body_filter rewrites a JSON body. The body part is a BodyFilter (plugins/types.ts)
// only when the config has JSON rules, so a headers-only config leaves its routes streaming; it accepts a
// response whose Content-Type is JSON (the proxy then buffers it, bounded: proxy/body-filter.ts) and
// rewrites it when it decodes to an object. A body that does not decode is sent unchanged with a warning,
// as Kong's "body transform failed"; Tollgate also leaves an array or scalar body unchanged.

import type { Plugin } from '../../config/types.ts'
import type { BodyFilter, PluginInstance, ProxyContext } from '../types.ts'
import {
  compileHeaderRules, compileJsonRules, isJsonContentType, transformHeaders, transformJson,
  type HeaderRules, type JsonRules, type ResponseTransformerConfig
} from './transform.ts'

class JsonBodyFilter implements BodyFilter {
  readonly #rules: JsonRules

  constructor (rules: JsonRules) {
    this.#rules = rules
  }

  accepts (_status: number, headers: Readonly<Record<string, string | string[]>>): boolean {
    return isJsonContentType(headers['content-type'])
  }

  transform (_ctx: ProxyContext, body: Buffer): Buffer {
    let decoded: unknown
    // the config has JSON rules and the upstream said JSON: decoding it is what was asked for
    try {
      decoded = JSON.parse(body.toString())
    } catch {
      // handler.lua logs "body transform failed: failed parsing json body"; the proxy logs this throw
      // and sends the body unchanged
      throw new BodyTransformFailed()
    }
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return body
    transformJson(this.#rules, decoded as Record<string, unknown>)
    return Buffer.from(JSON.stringify(decoded))
  }
}

class BodyTransformFailed extends Error {
  readonly code = 'BODY_TRANSFORM_FAILED'

  constructor () {
    super('body transform failed: failed parsing json body')
  }
}

export function createResponseTransformer (plugin: Plugin, priority: number): PluginInstance {
  const config = plugin.config as unknown as ResponseTransformerConfig
  const headerRules: HeaderRules = compileHeaderRules(config)
  const jsonRules = compileJsonRules(config)
  return Object.freeze({
    name: plugin.name,
    id: plugin.id,
    priority,
    access: null,
    headerFilter: (_ctx: ProxyContext, _status: number, headers: Record<string, string | string[]>) => transformHeaders(headerRules, headers),
    bodyFilter: jsonRules.any ? new JsonBodyFilter(jsonRules) : null,
    log: null,
    close: noop
  })
}

function noop (): void {}
