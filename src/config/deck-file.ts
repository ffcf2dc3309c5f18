// What decK does to a state file before it reaches Kong, done here because Tollgate reads decK files
// itself (go-database-reconciler pkg/file/builder.go, the engine of `deck gateway sync`):
// - `_plugin_configs`: named shared plugin configurations; a plugin's `_config: name` merges the named one
//   under its own `config`, the plugin's own keys winning at every level of nesting (mergePluginConfig);
// - `_info.select_tags`: added to the tags of every entity in the file (utils.MustMergeTags);
// - `_info.defaults.service` / `.route` / `.upstream` / `.target`: values for the top-level fields an entity
//   leaves unset (decK's defaulter; a record such as `healthchecks` is taken whole, not merged field by field).
// The input is never modified: a new document is returned.

import type { ConfigIssue } from '../core/errors.ts'
import { joinPath } from './schema/engine.ts'

type Json = Record<string, unknown>

function isRecord (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** decK's mergePluginConfig: keys the plugin has (null included) are kept, records merge recursively. */
export function mergePluginConfig (own: Json, shared: Json): Json {
  const out: Json = { ...own }
  for (const [key, value] of Object.entries(shared)) {
    if (!Object.hasOwn(own, key)) out[key] = structuredClone(value)
    else if (isRecord(own[key]) && isRecord(value)) out[key] = mergePluginConfig(own[key], value)
  }
  return out
}

interface Context {
  readonly shared: Json | null
  readonly selectTags: readonly string[]
  readonly defaults: Readonly<Record<'services' | 'routes' | 'upstreams' | 'targets', Json | null>>
  readonly issues: ConfigIssue[]
}

function withTags (entity: Json, ctx: Context): Json {
  if (ctx.selectTags.length === 0) return entity
  const tags = entity.tags ?? []
  // not an array: the schema reports it
  if (!Array.isArray(tags)) return entity
  return { ...entity, tags: [...tags, ...ctx.selectTags.filter((tag) => !tags.includes(tag))] }
}

function withDefaults (entity: Json, defaults: Json | null): Json {
  if (defaults === null) return entity
  const out = { ...entity }
  for (const [key, value] of Object.entries(defaults)) {
    if (out[key] === undefined || out[key] === null) out[key] = structuredClone(value)
  }
  return out
}

function plugin (entity: Json, path: string, ctx: Context): Json {
  const name = entity._config
  // a non-string _config is reported by the plugin schema
  if (typeof name !== 'string') return withTags(entity, ctx)
  const shared = ctx.shared !== null && Object.hasOwn(ctx.shared, name) ? ctx.shared[name] : undefined
  if (!isRecord(shared)) {
    if (shared === undefined) ctx.issues.push({ path: joinPath(path, '_config'), message: `_plugin_config '${name}' not found` })
    return withTags(entity, ctx)
  }
  const own = entity.config ?? {}
  // a config that is not a record is reported by the plugin schema
  if (!isRecord(own)) return withTags(entity, ctx)
  return withTags({ ...entity, config: mergePluginConfig(own, shared) }, ctx)
}

type Kind = 'services' | 'routes' | 'consumers' | 'consumer_groups' | 'plugins' | 'upstreams' | 'targets'

const CHILDREN: Readonly<Record<Kind, readonly Kind[]>> = {
  services: ['routes', 'plugins'],
  routes: ['plugins'],
  consumers: ['plugins'],
  consumer_groups: ['plugins'],
  plugins: [],
  upstreams: ['targets'],
  targets: [],
}

function entities (list: unknown, kind: Kind, path: string, ctx: Context): unknown {
  // not an array: the schema reports it
  if (!Array.isArray(list)) return list
  return list.map((item: unknown, i) => {
    if (!isRecord(item)) return item
    const at = joinPath(path, i)
    if (kind === 'plugins') return plugin(item, at, ctx)
    let entity = kind === 'consumers' || kind === 'consumer_groups' ? item : withDefaults(item, ctx.defaults[kind])
    for (const child of CHILDREN[kind]) {
      if (entity[child] !== undefined) entity = { ...entity, [child]: entities(entity[child], child, joinPath(at, child), ctx) }
    }
    return withTags(entity, ctx)
  })
}

function recordAt (value: unknown, key: string): Json | null {
  const found = isRecord(value) ? value[key] : undefined
  return isRecord(found) ? found : null
}

/** The document as decK would send it: shared plugin configs merged, select tags and defaults applied. */
export function applyDeckFile (document: unknown, issues: ConfigIssue[]): unknown {
  if (!isRecord(document)) return document
  const info = document._info
  const selectTags = isRecord(info) && Array.isArray(info.select_tags) ? info.select_tags.filter((tag) => typeof tag === 'string') : []
  const defaults = recordAt(info, 'defaults')
  const ctx: Context = {
    shared: isRecord(document._plugin_configs) ? document._plugin_configs : null,
    selectTags,
    defaults: {
      services: recordAt(defaults, 'service'),
      routes: recordAt(defaults, 'route'),
      upstreams: recordAt(defaults, 'upstream'),
      targets: recordAt(defaults, 'target'),
    },
    issues,
  }
  const out: Json = { ...document }
  for (const kind of ['services', 'routes', 'consumers', 'consumer_groups', 'plugins', 'upstreams', 'targets'] as const) {
    if (out[kind] !== undefined) out[kind] = entities(out[kind], kind, kind, ctx)
  }
  return out
}
