// The contract between the proxy and plugins. A plugin is a folder named as Kong names it, whose index.ts
// exports one PluginDescriptor; bundled.ts lists them (Kong's BUNDLED_PLUGINS, kong/constants.lua) and
// everything else is derived from that list. Per route, the chain of PluginInstances is built once at
// config load (chain.ts), so a request runs precomputed arrays and never looks a plugin up.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MessagePort } from 'node:worker_threads'
import type { Consumer, LoadedConfig, Plugin, Route, Service, Settings } from '../config/types.ts'
import type { ConsumerIndex } from '../config/consumer-index.ts'
import type { ConsumerGroupIndex } from '../config/consumer-group-index.ts'
import type { CredentialIndex } from '../config/credential-index.ts'
import type { FieldSchema } from '../config/schema/engine.ts'
import type { Logger } from '../core/log.ts'
import type { RedisClients } from '../redis/clients.ts'
import type { MainPluginService, MainServicesContext } from './main-thread-services.ts'
import type { WorkerPluginService } from './worker-thread-services.ts'

/** What a phase returns: nothing (synchronous, costs no await) or a Promise (only then is it awaited). */
export type PhaseResult = void | Promise<void>

/** The per-request state every phase sees. One shape for every request (fields set in the constructor). */
export interface ProxyContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** performance.now() when the request arrived */
  readonly startedAt: number
  readonly requestId: string
  readonly route: Route
  readonly service: Service | null
  /** the normalised request path, without the query */
  readonly path: string
  /** the raw query string without '?'; '' when there is none */
  query: string
  /** the method sent upstream (Kong's kong.service.request.set_method); the client's until a plugin sets it */
  method: string
  /**
   * the path sent upstream, without the query, already escaped (Kong's ngx.var.upstream_uri, which
   * kong.service.request.set_path sets); the service path joined with the request's until a plugin sets it
   */
  upstreamPath: string
  /** headers sent upstream, lower-cased names; plugins set and delete entries */
  readonly upstreamHeaders: Record<string, string | string[]>
  /** plugin-to-plugin scratch space (Kong's kong.ctx.shared); null until a plugin needs it */
  shared: Record<string, unknown> | null
  /** true once a response was sent by the gateway itself (a plugin short-circuited) */
  readonly responded: boolean
  /**
   * Which of Kong's prometheus families this request records (bit flags, src/metrics/families.ts): set
   * by the prometheus plugin's log phase; the config's default until then
   */
  metricsFamilies: number
  /** the consumer an auth plugin identified (Kong's ctx.authenticated_consumer); null until one does */
  readonly consumer: Consumer | null
  /** what it was identified by (Kong's ctx.authenticated_credential); null when none */
  readonly credential: AuthenticatedCredential | null
  /**
   * Kong's kong.client.authenticate(consumer, credential): records who the caller is. Plugins that run
   * after this one (and this request's header_filter and log phases) are then chosen for that consumer,
   * with Kong's precedence of consumer-scoped plugins (plugins/chain.ts).
   */
  authenticate (consumer: Consumer | null, credential: AuthenticatedCredential | null): void
  /**
   * Ends the request with Kong's JSON error body `{"message": ...}` (plus request_id when enabled),
   * X-Kong-Response-Latency and Server; later phases and the upstream call are skipped.
   */
  exit (status: number, message: string, headers?: Readonly<Record<string, string>>): void
  /**
   * Ends the request with a response the plugin composed (status, body, content type, extra headers), with
   * X-Kong-Response-Latency and Server. contentType null: JSON (`application/json; charset=utf-8`); '': no
   * Content-Type header at all (what Kong sends for a string body without one).
   */
  respond (status: number, body: string | Buffer, contentType: string | null, headers?: Readonly<Record<string, string>>): void
  /**
   * The request body when it fits client_body_buffer_size (as Kong's kong.request.get_raw_body, which is
   * nil for a body nginx did not keep in memory), then forwarded upstream from that buffer; null when it
   * is larger: nothing is kept and the upstream still gets the whole body, streamed. Rejects with a 413
   * ClientError past client_max_body_size. Called again, the same promise.
   */
  readBody (): Promise<Buffer | null>
  /** Replaces the body sent upstream (after readBody); Content-Length follows. */
  replaceBody (body: Buffer): void
}

/** Kong's ctx.authenticated_credential: a credential entity, or what an auth plugin knows of one. */
export interface AuthenticatedCredential {
  /** the credential's id (X-Credential-Identifier upstream); null when the plugin has none */
  readonly id: string | null
  readonly consumer_id: string | null
}

/** What a plugin instance may read of the config it was built from (built once per compile). */
export interface ConfigView {
  readonly consumers: ConsumerIndex
  /** key-auth keys, basic-auth usernames, jwt keys → credential and consumer; acl groups by consumer */
  readonly credentials: CredentialIndex
  /** consumer group membership, both ways (acl's include_consumer_groups, the chain resolver) */
  readonly consumerGroups: ConsumerGroupIndex
}

/** A plugin configured on a scope, bound to its validated config, with its phases (null when absent). */
export interface PluginInstance {
  readonly name: string
  readonly id: string
  readonly priority: number
  readonly access: ((ctx: ProxyContext) => PhaseResult) | null
  /** after the upstream answered (or the gateway did), before headers go downstream */
  readonly headerFilter: ((ctx: ProxyContext, status: number, headers: Record<string, string | string[]>) => void) | null
  /**
   * The same header filter for a plugin that only sets response fields of names known at config load
   * (rate-limiting's): see HeaderAppender. Absent or null for every other plugin.
   */
  readonly headerAppender?: HeaderAppender | null
  /**
   * Kong's body_filter, for plugins that rewrite a whole response body. Non-null only when the instance's
   * config has body rules (decided at config load), so routes without one keep streaming (chain.ts).
   */
  readonly bodyFilter: BodyFilter | null
  /** after the response finished */
  readonly log: ((ctx: ProxyContext) => void) | null
  /** called when the config that built it is replaced; releases timers and sockets */
  close (): void
}

/**
 * A header filter that only sets fields whose names are known at config load. On an upstream's response the
 * proxy then keeps the flat field list it forwards when no plugin filters headers, and the plugin appends
 * its fields there, instead of the proxy building the header object every headerFilter takes and Node
 * writing the response from that object. The chain uses it only when every header filter of the route has
 * one and no body filter runs (chain.ts); the result is the headerFilter's: an upstream field of a name
 * the plugin sets is replaced, one it does not set this time stays.
 */
export interface HeaderAppender {
  /** every name `append` may set, lower-cased */
  readonly names: readonly string[]
  /** pushes this response's [name, value, ...] pairs onto `out`, as headerFilter would set them */
  append (ctx: ProxyContext, status: number, out: string[]): void
}

/**
 * A response body rewriter. After every headerFilter ran, `accepts` sees the final response headers (lower-
 * cased names); when one plugin of the chain accepts, the proxy buffers the body (up to a limit, past which
 * it streams unchanged: proxy/body-filter.ts), drops Content-Length and sends it chunked, as Kong does
 * once a body_filter changes the body; then each accepting plugin's `transform` runs, in chain order.
 */
export interface BodyFilter {
  accepts (status: number, headers: Readonly<Record<string, string | string[]>>): boolean
  /** the new body; return `body` itself to leave it unchanged. A throw leaves the body unchanged (logged). */
  transform (ctx: ProxyContext, body: Buffer): Buffer
}

/** Services a worker gives every plugin it creates (shared token cache, signing pool, IdP state ...). */
export interface PluginServices {
  readonly settings: Settings
  /** plugin-specific services keyed by plugin name, set up by the worker when it starts */
  readonly byPlugin: ReadonlyMap<string, unknown>
  /** delivers a message the main thread sent to one plugin's worker-side services */
  onMessage (plugin: string, payload: unknown): void
  /**
   * the worker's Redis clients, one per distinct Redis record (src/redis/clients.ts): an instance acquires
   * one at config load and releases it in close(); null where a worker was built without them (tests)
   */
  readonly redis: RedisClients | null
}

/** A plugin's schema.lua: its name, Kong's no_consumer and the schema of its `config` record. */
export interface PluginSchema {
  /** Kong's name, e.g. "request-termination" */
  readonly name: string
  /** plugin cannot be scoped to a consumer (Kong's no_consumer) */
  readonly noConsumer: boolean
  /**
   * plugin may be scoped to a consumer group (Kong Enterprise's plugin scopes reference,
   * developer.konghq.com/gateway/entities/plugin/#supported-scopes-by-plugin); absent: it may not
   */
  readonly consumerGroups?: boolean
  /** schema of `config` (validated on the main thread at load, defaults applied) */
  readonly configSchema: FieldSchema
}

/** What config loading and the Admin API know of a plugin: its schema plus handler.lua's PRIORITY and VERSION. */
export interface PluginSchemaInfo extends PluginSchema {
  readonly PRIORITY: number
  readonly VERSION: string
}

/** Builds the instance for one plugin entity, in a proxy worker, at config load. */
export type PluginFactory = (plugin: Plugin, priority: number, services: PluginServices, view: ConfigView) => PluginInstance

/** Builds a plugin's main-thread service, once per gateway, at start. */
export type MainServiceFactory = (config: LoadedConfig, context: MainServicesContext) => Promise<MainPluginService>

/** Builds a plugin's worker service, once per proxy worker, at start; `data` is what its main service gave. */
export type WorkerServiceFactory = (settings: Settings, data: unknown, port: MessagePort, logger: Logger) =>
  Promise<WorkerPluginService> | WorkerPluginService

/**
 * Everything the gateway needs to know of a plugin, exported by its folder's index.ts and listed once in
 * bundled.ts. Code is imported lazily: validating a config (main thread, Admin API) loads only schema.ts;
 * a proxy worker loads the handlers (and worker services) once when it starts, before its first compile,
 * so chains are still built synchronously at config load; the main thread loads the main services.
 * A plugin's Admin API routes come from its main service (`MainPluginService.admin`), which holds the
 * state they show.
 */
export interface PluginDescriptor {
  /** Kong's name, the folder's name */
  readonly name: string
  /** handler.lua's PRIORITY: higher runs first */
  readonly PRIORITY: number
  /** handler.lua's VERSION, reported by GET / */
  readonly VERSION: string
  readonly schema: PluginSchema
  readonly handler: () => Promise<PluginFactory>
  /** state held once per gateway on the main thread (and the Admin routes and metrics it serves); null: none */
  readonly mainService: (() => Promise<MainServiceFactory>) | null
  /** state held once per proxy worker, shared by the plugin's instances; null: none */
  readonly workerService: (() => Promise<WorkerServiceFactory>) | null
}

export interface PluginModule {
  /** Kong's name, e.g. "openid-connect" */
  readonly name: string
  readonly PRIORITY: number
  readonly VERSION: string
  /** schema of `config` (validated on the main thread at load, defaults applied) */
  readonly configSchema: FieldSchema
  /** plugin cannot be scoped to a consumer (Kong's no_consumer) */
  readonly noConsumer: boolean
  /** builds the instance for one plugin entity, in a proxy worker */
  create (plugin: Plugin, services: PluginServices, view: ConfigView): PluginInstance
}
