// Kong's request-transformer access phase (kong/plugins/request-transformer/access.lua _M.execute), in
// Kong's order: uri, http_method, headers, body, querystring. The config is compiled once per instance
// (compile.ts); a request does only what its rules ask for: no template environment without templates, no
// query parsing without query rules or templates reading query_params, no body read without body rules
// (or a method change to GET/HEAD/TRACE, which moves a form body's arguments into the query).
// Differences from Kong: a body larger than client_body_buffer_size is forwarded unchanged (Kong would
// transform an empty body and replace the real one); a multipart/form-data body is forwarded unchanged
// (Kong edits its parts); a JSON body that is an array or a scalar is forwarded unchanged.

import type { Plugin } from '../../config/types.ts'
import { escapePath } from '../../router/escape-path.ts'
import { compileRouteRegex } from '../../router/route-regex.ts'
import { queryArgs, type QueryArgs } from '../request-termination/echo.ts'
import type { PhaseResult, PluginInstance, ProxyContext } from '../types.ts'
import { appendArgValue, encodeArgs } from './args.ts'
import { compileConfig, type CompiledTransformer, type RequestTransformerConfig } from './compile.ts'
import { SOURCE_CAPTURES, SOURCE_QUERY, SOURCE_SHARED, type TemplateEnv, type UriCaptures } from './template.ts'
import { transformArgs, transformHeaders, transformJson, valueOf } from './transform.ts'

const NO_CAPTURES: UriCaptures = Object.freeze({ unnamed: Object.freeze([]), named: Object.freeze({}) })
const JSON_BODY = 1
const FORM_BODY = 2
const MULTIPART_BODY = 3

/** access.lua get_content_type: a substring test, as Kong does */
export function bodyKind (contentType: string | undefined): number {
  if (contentType === undefined) return 0
  const type = contentType.toLowerCase()
  if (type.includes('application/json')) return JSON_BODY
  if (type.includes('multipart/form-data')) return MULTIPART_BODY
  if (type.includes('application/x-www-form-urlencoded')) return FORM_BODY
  return 0
}

export class RequestTransformer {
  readonly compiled: CompiledTransformer
  /** the regex paths of each route this instance served, compiled on first use (only with uri_captures) */
  readonly #routeRegexes = new Map<string, RegExp[]>()
  readonly #queryToo: boolean

  constructor (config: RequestTransformerConfig) {
    this.compiled = compileConfig(config)
    const method = this.compiled.method
    this.#queryToo = method === 'GET' || method === 'HEAD' || method === 'TRACE'
  }

  access (ctx: ProxyContext): PhaseResult {
    const c = this.compiled
    const env = this.#environment(ctx)
    if (c.uri !== null) {
      const path = valueOf(c.uri, env)
      // kong.service.request.set_path refuses this with an error: a 500
      if (path.charCodeAt(0) !== 47 /* / */) throw new Error('[request-transformer] uri template did not render a path starting with /')
      ctx.upstreamPath = escapePath(path)
    }
    let moveForm = false
    if (c.method !== null) {
      ctx.method = c.method
      moveForm = this.#queryToo && bodyKind(ctx.req.headers['content-type']) === FORM_BODY
    }
    if (!c.headers.empty) transformHeaders(c.headers, ctx.upstreamHeaders as Record<string, string | string[]>, env)
    const bodyRules = !c.body.empty && bodyKind(ctx.req.headers['content-type']) !== 0
    if (!bodyRules && !moveForm) return this.#query(ctx, env, null)
    return this.#withBody(ctx, env, moveForm, bodyRules)
  }

  async #withBody (ctx: ProxyContext, env: TemplateEnv, moveForm: boolean, bodyRules: boolean): Promise<void> {
    const body = await ctx.readBody()
    let moved: QueryArgs | null = null
    // access.lua transform_method: a form body's arguments are added to the query (the body stays)
    if (moveForm && body !== null && body.length > 0) moved = queryArgs(body.toString('latin1'))
    if (bodyRules && body !== null) this.#body(ctx, env, body)
    this.#query(ctx, env, moved)
  }

  #body (ctx: ProxyContext, env: TemplateEnv, body: Buffer): void {
    const kind = bodyKind(ctx.req.headers['content-type'])
    const rules = this.compiled.body
    const hasBody = body.length > 0
    if (kind === JSON_BODY) {
      let parsed: unknown = {}
      // the config has body rules for this JSON request: parsing it is what was asked for
      if (hasBody) {
        try {
          parsed = JSON.parse(body.toString())
        } catch {
          return
        }
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return
      if (transformJson(rules, parsed as Record<string, unknown>, env, hasBody)) {
        ctx.replaceBody(Buffer.from(JSON.stringify(parsed)))
      }
    } else if (kind === FORM_BODY) {
      const args = queryArgs(body.toString('latin1'))
      if (transformArgs(rules, args, env, hasBody)) ctx.replaceBody(Buffer.from(encodeArgs(args, false), 'latin1'))
    }
  }

  #query (ctx: ProxyContext, env: TemplateEnv, moved: QueryArgs | null): void {
    const rules = this.compiled.query
    if (rules.empty && moved === null) return
    const args = queryArgs(ctx.query)
    if (moved !== null) {
      for (const name in moved) {
        const value = moved[name]
        for (const one of Array.isArray(value) ? value : [value]) args[name] = appendArgValue(args[name], one === true ? '' : one)
      }
    }
    transformArgs(rules, args, env, true)
    ctx.query = encodeArgs(args, true)
  }

  /** What the templates read, prepared for the sources they use; a constant when they read none. */
  #environment (ctx: ProxyContext): TemplateEnv {
    const sources = this.compiled.sources
    return {
      headers: ctx.req.headers,
      query: (sources & SOURCE_QUERY) === 0 ? null : queryArgs(ctx.query),
      captures: (sources & SOURCE_CAPTURES) === 0 ? null : this.#captures(ctx),
      shared: (sources & SOURCE_SHARED) === 0 ? null : ctx.shared
    }
  }

  // Kong's router keeps a regex path's captures (ngx.ctx.router_matches.uri_captures); Tollgate's does not,
  // so a config that reads them matches the route's regex paths again here, the first that matches wins.
  #captures (ctx: ProxyContext): UriCaptures {
    let regexes = this.#routeRegexes.get(ctx.route.id)
    if (regexes === undefined) {
      regexes = []
      for (const path of ctx.route.paths ?? []) {
        if (!path.startsWith('~')) continue
        const compiled = compileRouteRegex(path.slice(1), '^', '')
        if (typeof compiled !== 'string') regexes.push(compiled)
      }
      this.#routeRegexes.set(ctx.route.id, regexes)
    }
    for (const regex of regexes) {
      const match = regex.exec(ctx.path)
      if (match !== null) return { unnamed: match, named: match.groups ?? {} }
    }
    return NO_CAPTURES
  }
}

export function createRequestTransformer (plugin: Plugin, priority: number): PluginInstance {
  const transformer = new RequestTransformer(plugin.config as unknown as RequestTransformerConfig)
  return Object.freeze({
    name: plugin.name,
    id: plugin.id,
    priority,
    access: (ctx: ProxyContext) => transformer.access(ctx),
    headerFilter: null,
    bodyFilter: null,
    log: null,
    close: noop
  })
}

function noop (): void {}
