// Stage: config load, on the main thread (load.ts); compile-runtime.ts runs later, per worker.
// From flat drafts to the loaded entities: ids (given, or generated as Kong DB-less does), uniqueness,
// references resolved to {id}, plugin configs validated by their plugin's schema.

import type { ConfigIssue } from '../core/errors.ts'
import type { Entities } from './types.ts'
import { buildConsumer, buildConsumerGroup, buildPlugin, buildRoute, buildService } from './entity-records.ts'
import { buildMemberships } from './consumer-group-members.ts'
import type { Draft, Drafts } from './flatten.ts'
import { generatedId } from './ids.ts'
import { checkPlugins, pluginScope, type Indexes } from './plugins.ts'
import { indexDrafts, resolveReference } from './references.ts'
import { buildCredentials, type CredentialOptions } from './resolve-credentials.ts'
import { buildUpstreams } from './resolve-upstreams.ts'
import { buildCertificates } from './resolve-certificates.ts'
import { joinPath, type ConfigNotice } from './schema/engine.ts'

/**
 * The key an id is derived from: the entity's name (Kong's endpoint key: the same id as Kong gives it),
 * or for a nameless one its parent and position, so reloads of an unchanged file keep every id.
 */
function identity (draft: Draft): string {
  const f = draft.fields
  const name = draft.kind === 'consumers' ? f.username : f.name
  if (typeof name === 'string') return name
  if (draft.kind === 'consumers' && typeof f.custom_id === 'string') return `custom_id:${f.custom_id}`
  return `${draft.parent?.id ?? ''}/${draft.index}`
}

function assignId (draft: Draft, key: () => string): void {
  draft.id = typeof draft.fields.id === 'string' ? draft.fields.id : generatedId(draft.kind, key())
}

function routeService (draft: Draft, indexes: Indexes, issues: ConfigIssue[]): string | null {
  if (draft.parent !== null) return draft.parent.id
  const ref = draft.fields.service
  return ref === null ? null : resolveReference(ref, 'service', 'services', indexes.services, joinPath(draft.path, 'service'), issues)
}

export function buildEntities (drafts: Drafts, now: number, issues: ConfigIssue[], notices: ConfigNotice[] = [],
  options: CredentialOptions = { hashPasswords: true }): Entities {
  for (const kind of ['services', 'consumers', 'consumer_groups', 'routes'] as const) {
    for (const draft of drafts[kind]) assignId(draft, () => identity(draft))
  }
  const indexes: Indexes = {
    services: indexDrafts('services', drafts.services, issues),
    routes: indexDrafts('routes', drafts.routes, issues),
    consumers: indexDrafts('consumers', drafts.consumers, issues),
    consumer_groups: indexDrafts('consumer_groups', drafts.consumer_groups, issues),
  }
  const routes = drafts.routes.map((draft) => buildRoute(draft, routeService(draft, indexes, issues), now))
  const scopes = drafts.plugins.map((draft) => pluginScope(draft, indexes, issues))
  drafts.plugins.forEach((draft, i) => assignId(draft, () => {
    // Kong's plugin cache key: name and scope (unique, see checkPlugins); an instance_name is unique by itself
    const instance = draft.fields.instance_name
    const scope = scopes[i]
    if (typeof instance === 'string') return instance
    if (scope === null) return draft.path
    const key = `plugins:${draft.fields.name}:${scope.route ?? ''}:${scope.service ?? ''}:${scope.consumer ?? ''}`
    // appended only when set, so that the ids of plugins without a consumer group stay what they were
    return scope.consumer_group === null ? key : `${key}:${scope.consumer_group}`
  }))
  indexDrafts('plugins', drafts.plugins, issues)
  const configs = checkPlugins(drafts.plugins, scopes, issues, notices)
  const { refs, ...tls } = buildCertificates(drafts, now, issues)
  return {
    services: drafts.services.map((draft) => buildService(draft, refs, now, issues)),
    routes,
    plugins: drafts.plugins.map((draft, i) => buildPlugin(draft, scopes[i], configs[i], now)),
    consumers: drafts.consumers.map((draft) => buildConsumer(draft, now)),
    consumer_groups: drafts.consumer_groups.map((draft) => buildConsumerGroup(draft, now)),
    consumer_group_consumers: buildMemberships(drafts.consumers, drafts.consumer_groups, indexes, issues),
    ...buildCredentials(drafts, indexes.consumers, now, issues, options),
    ...buildUpstreams(drafts, refs, now, issues),
    ...tls,
  }
}
