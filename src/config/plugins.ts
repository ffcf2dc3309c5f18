// Plugin entities: scope (from nesting or service/route/consumer/consumer_group references), each config
// validated by the named plugin's own schema (src/plugins/schemas.ts), and Kong's rules that an unknown
// plugin, a no_consumer plugin on a consumer, a plugin that has no consumer group scope on a consumer
// group, or the same plugin twice on one scope are errors.

import type { ConfigIssue } from '../core/errors.ts'
import { KONG_PLUGIN_NAMES } from '../plugins/kong-plugin-names.ts'
import { pluginSchemas } from '../plugins/schemas.ts'
import { FOREIGN_KEY, type Draft } from './flatten.ts'
import { resolveReference, type KindIndex } from './references.ts'
import { NOT_BUILT } from './schema/typedefs.ts'
import { joinPath, validate, type ConfigNotice } from './schema/engine.ts'

export interface Scope {
  readonly service: string | null
  readonly route: string | null
  readonly consumer: string | null
  readonly consumer_group: string | null
}

export interface Indexes {
  readonly services: KindIndex
  readonly routes: KindIndex
  readonly consumers: KindIndex
  readonly consumer_groups: KindIndex
}

/** The ids a plugin is scoped to: its parent's by nesting, the others by reference; null if one is dangling. */
export function pluginScope (draft: Draft, indexes: Indexes, issues: ConfigIssue[]): Scope | null {
  const scope: Record<string, string | null> = {}
  let resolved = true
  for (const kind of ['services', 'routes', 'consumers', 'consumer_groups'] as const) {
    const field = FOREIGN_KEY[kind]
    const value = draft.fields[field]
    if (draft.parent?.kind === kind) scope[field] = draft.parent.id
    else if (value === null) scope[field] = null
    else {
      scope[field] = resolveReference(value, field, kind, indexes[kind], joinPath(draft.path, field), issues)
      resolved &&= scope[field] !== null
    }
  }
  return resolved ? scope as unknown as Scope : null
}

function unknownPlugin (name: string): string {
  if (KONG_PLUGIN_NAMES.has(name)) return `plugin '${name}' is ${NOT_BUILT}`
  return `plugin '${name}' not found (available: ${[...pluginSchemas.keys()].join(', ')})`
}

/** Validates every plugin's config; returns them in the same order (null where the plugin is unknown). */
export function checkPlugins (
  drafts: readonly Draft[], scopes: ReadonlyArray<Scope | null>, issues: ConfigIssue[], notices: ConfigNotice[]
): Array<Record<string, unknown> | null> {
  const onScope = new Map<string, Draft>()
  return drafts.map((draft, i) => {
    const name = draft.fields.name as string | null
    const info = name === null ? undefined : pluginSchemas.get(name)
    if (info === undefined) {
      if (name !== null) issues.push({ path: joinPath(draft.path, 'name'), message: unknownPlugin(name) })
      return null
    }
    if (info.noConsumer && (draft.parent?.kind === 'consumers' || draft.fields.consumer !== null)) {
      const path = draft.parent?.kind === 'consumers' ? draft.path : joinPath(draft.path, 'consumer')
      issues.push({ path, message: `plugin '${name}' cannot be applied to a consumer` })
    }
    if (!info.consumerGroups && (draft.parent?.kind === 'consumer_groups' || draft.fields.consumer_group !== null)) {
      const path = draft.parent?.kind === 'consumer_groups' ? draft.path : joinPath(draft.path, 'consumer_group')
      issues.push({ path, message: `plugin '${name}' cannot be applied to a consumer group` })
    }
    const scope = scopes[i]
    if (scope !== null && scope.consumer !== null && scope.consumer_group !== null) {
      // Kong's precedence list (and its plugins iterator) has no scope with both
      issues.push({ path: draft.path, message: 'only one or none of these fields must be set: \'consumer\', \'consumer_group\'' })
    }
    if (scope !== null) {
      const key = `${name}|${scope.service}|${scope.route}|${scope.consumer}|${scope.consumer_group}`
      const first = onScope.get(key)
      if (first === undefined) onScope.set(key, draft)
      else issues.push({ path: draft.path, message: `uniqueness violation: plugin '${name}' is already configured on this scope at ${first.path}` })
    }
    const config = draft.fields.config ?? undefined
    // not a record: reported by the entity schema already
    if (Array.isArray(config) || (config !== undefined && typeof config !== 'object')) return null
    const result = validate(info.configSchema, config, joinPath(draft.path, 'config'), notices)
    issues.push(...result.issues)
    return result.value as Record<string, unknown> | null
  })
}
