// Stage: config load, on the main thread (resolve-entities.ts). The upstream and target entities from their
// drafts: ids as Kong DB-less generates them (an upstream's from its name, a target's from its cache key
// upstream + target: declarative_config.lua get_key_for_uuid_gen), each target's upstream (by nesting or
// the top-level `upstream` reference), its target normalised as kong/db/dao/targets.lua format_target
// writes it, and one target per host:port per upstream.

import type { ConfigIssue } from '../core/errors.ts'
import type { ForeignKey, Healthchecks, Target, Upstream } from './types.ts'
import type { Draft, Drafts } from './flatten.ts'
import { DEFAULT_WORKSPACE, generatedId } from './ids.ts'
import { indexDrafts, resolveReference, type KindIndex } from './references.ts'
import { joinPath } from './schema/engine.ts'
import { normalizeTarget } from './schema/target.ts'
import { clientCertificate, type CertificateRefs } from './resolve-certificates.ts'

type Fields = Readonly<Record<string, unknown>>

function buildUpstream (draft: Draft, refs: CertificateRefs, now: number, issues: ConfigIssue[]): Upstream {
  const f = draft.fields
  const created = (f.created_at as number | null) ?? now
  return {
    id: draft.id,
    name: f.name as string,
    algorithm: f.algorithm as Upstream['algorithm'],
    hash_on: f.hash_on as Upstream['hash_on'],
    hash_fallback: f.hash_fallback as Upstream['hash_fallback'],
    hash_on_header: f.hash_on_header as string | null,
    hash_fallback_header: f.hash_fallback_header as string | null,
    hash_on_cookie: f.hash_on_cookie as string | null,
    hash_on_cookie_path: f.hash_on_cookie_path as string,
    hash_on_query_arg: f.hash_on_query_arg as string | null,
    hash_fallback_query_arg: f.hash_fallback_query_arg as string | null,
    hash_on_uri_capture: f.hash_on_uri_capture as string | null,
    hash_fallback_uri_capture: f.hash_fallback_uri_capture as string | null,
    slots: f.slots as number,
    healthchecks: f.healthchecks as Healthchecks,
    host_header: f.host_header as string | null,
    client_certificate: clientCertificate(draft, refs, issues),
    use_srv_name: f.use_srv_name as boolean,
    tags: f.tags as string[] | null,
    created_at: created,
    updated_at: (f.updated_at as number | null) ?? created,
  }
}

function upstreamOf (draft: Draft, upstreams: KindIndex, issues: ConfigIssue[]): string | null {
  if (draft.parent !== null) return draft.parent.id
  const ref = draft.fields.upstream
  const path = joinPath(draft.path, 'upstream')
  if (ref === null) {
    issues.push({ path, message: 'required field missing' })
    return null
  }
  return resolveReference(ref, 'upstream', 'upstreams', upstreams, path, issues)
}

/** declarative_config.lua build_cache_key: entity, workspace, upstream (as written, or the parent's id), target as written */
function targetIdKey (draft: Draft, upstream: string): string {
  const ref = draft.parent === null && typeof draft.fields.upstream === 'string' ? draft.fields.upstream : upstream
  return `targets:${DEFAULT_WORKSPACE}:${ref}:${draft.fields.target as string}`
}

function buildTarget (f: Fields, id: string, upstream: ForeignKey, target: string, now: number): Target {
  const created = (f.created_at as number | null) ?? now
  return {
    id,
    upstream,
    target,
    weight: f.weight as number,
    tags: f.tags as string[] | null,
    created_at: created,
    updated_at: (f.updated_at as number | null) ?? created,
  }
}

/** Resolves and builds the targets; one whose upstream did not resolve is left out (the config fails on the issue). */
function buildTargets (drafts: readonly Draft[], upstreams: KindIndex, now: number, issues: ConfigIssue[]): Target[] {
  const out: Target[] = []
  const built: Draft[] = []
  const seen = new Map<string, Draft>()
  for (const draft of drafts) {
    const upstream = upstreamOf(draft, upstreams, issues)
    draft.id = typeof draft.fields.id === 'string' ? draft.fields.id : generatedId('targets', targetIdKey(draft, upstream ?? draft.path))
    const written = draft.fields.target
    const target = typeof written === 'string' ? normalizeTarget(written) : null
    // null: reported already (by the schema, or as an unresolved upstream)
    if (upstream === null || target === null) continue
    const key = `${upstream} ${target}`
    const first = seen.get(key)
    if (first !== undefined) {
      issues.push({
        path: joinPath(draft.path, 'target'),
        message: `uniqueness violation: 'targets' entity with target set to '${target}' already declared at ${first.path}`,
      })
      continue
    }
    seen.set(key, draft)
    built.push(draft)
    out.push(buildTarget(draft.fields, draft.id, { id: upstream }, target, now))
  }
  indexDrafts('targets', built, issues)
  return out
}

export function buildUpstreams (drafts: Drafts, refs: CertificateRefs, now: number, issues: ConfigIssue[]): { upstreams: Upstream[], targets: Target[] } {
  for (const draft of drafts.upstreams) {
    draft.id = typeof draft.fields.id === 'string' ? draft.fields.id : generatedId('upstreams', draft.fields.name as string)
  }
  const index = indexDrafts('upstreams', drafts.upstreams, issues)
  return {
    upstreams: drafts.upstreams.map((draft) => buildUpstream(draft, refs, now, issues)),
    targets: buildTargets(drafts.targets, index, now, issues),
  }
}
