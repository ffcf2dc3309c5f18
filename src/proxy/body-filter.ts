// Kong's body_filter phase, for the routes whose chain has a plugin that rewrites response bodies
// (RouteChain.bodyFilter, non-null only when such a plugin's config has body rules). Once the header
// filters ran, each such plugin says whether it wants this response (response-transformer: a JSON
// Content-Type); if one does, the body is collected instead of streamed, Content-Length is dropped so the
// answer goes out chunked (what Kong's header_filter does before its body_filter changes the body:
// kong/plugins/response-transformer/header_transformer.lua transform_headers), and when the upstream has
// finished, the plugins' transforms run in chain order and the result is written once.
// Buffering is bounded: past RESPONSE_BUFFER_LIMIT bytes (or a declared Content-Length over it) the body
// goes out unchanged, streamed, and the worker logs one warning. Kong buffers without a bound
// (kong.response.get_raw_body), a memory risk a gateway in front of arbitrary upstreams should not take.

import type { PluginInstance } from '../plugins/types.ts'
import type { RequestContext } from './context.ts'

/** the most response bytes held for a body filter; larger bodies stream unchanged */
export const RESPONSE_BUFFER_LIMIT = 8 * 1024 * 1024

/**
 * Called from onHeaders after the header filters, with the headers about to be written. Returns true when
 * the body is to be collected (then Content-Length has been removed from `headers`).
 */
export function startBodyFilter (ctx: RequestContext, chain: readonly PluginInstance[], status: number,
  headers: Record<string, string | string[]>): boolean {
  // no body to rewrite (RFC 9110 §6.4.1); 204 and 304 are completed by onHeaders itself
  if (status === 204 || status === 304 || ctx.req.method === 'HEAD') return false
  let selected: PluginInstance[] | null = null
  for (let i = 0; i < chain.length; i++) {
    if (!chain[i].bodyFilter!.accepts(status, headers)) continue
    if (selected === null) selected = []
    selected.push(chain[i])
  }
  if (selected === null) return false
  const declared = headers['content-length']
  if (typeof declared === 'string' && Number(declared) > RESPONSE_BUFFER_LIMIT) {
    warnTooLarge(ctx, Number(declared))
    return false
  }
  delete headers['content-length']
  ctx.bodyFilters = selected
  ctx.responseChunks = []
  ctx.responseSize = 0
  return true
}

/** onData while collecting: keeps the chunk, or past the limit writes out what it held and streams on. */
export function collectChunk (ctx: RequestContext, chunk: Buffer): boolean {
  const chunks = ctx.responseChunks!
  ctx.responseSize += chunk.length
  if (ctx.responseSize <= RESPONSE_BUFFER_LIMIT) {
    chunks.push(chunk)
    return true
  }
  warnTooLarge(ctx, ctx.responseSize)
  ctx.responseChunks = null
  ctx.bodyFilters = null
  const res = ctx.res
  for (let i = 0; i < chunks.length; i++) res.write(chunks[i])
  return ctx.onData(chunk)
}

/** The upstream finished: the filtered body, or the collected one unchanged where a transform threw. */
export function filteredBody (ctx: RequestContext): Buffer {
  const chunks = ctx.responseChunks!
  const filters = ctx.bodyFilters!
  ctx.responseChunks = null
  ctx.bodyFilters = null
  let body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, ctx.responseSize)
  for (let i = 0; i < filters.length; i++) {
    try {
      body = filters[i].bodyFilter!.transform(ctx, body)
    } catch (err) {
      ctx.state.logger.log('warn', 'plugin_body_filter_failed', { plugin: filters[i].name, request_id: ctx.requestId, error: err })
    }
  }
  return body
}

function warnTooLarge (ctx: RequestContext, size: number): void {
  if (ctx.state.bodyLimitWarned) return
  ctx.state.bodyLimitWarned = true
  ctx.state.logger.log('warn', 'response_body_not_filtered', {
    request_id: ctx.requestId,
    size,
    limit: RESPONSE_BUFFER_LIMIT,
    message: 'response body larger than the body filter limit: sent unchanged (logged once per worker)'
  })
}
