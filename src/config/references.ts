// Uniqueness of ids and names, and resolution of references between entities, with Kong DB-less's
// messages ("uniqueness violation: ...", "invalid reference '...' (no such entry in '...')").

import type { ConfigIssue } from '../core/errors.ts'
import type { Draft, Kind } from './flatten.ts'
import { foreignProblem } from './schema/typedefs.ts'
import { joinPath } from './schema/engine.ts'

/** The fields that must be unique among entities of one kind (Kong's `unique = true` fields). */
const UNIQUE: Readonly<Record<Kind, readonly string[]>> = {
  services: ['name'],
  routes: ['name'],
  consumers: ['username', 'custom_id'],
  consumer_groups: ['name'],
  plugins: ['instance_name'],
  keyauth_credentials: ['key'],
  basicauth_credentials: ['username'],
  jwt_secrets: ['key'],
  acls: [],
  upstreams: ['name'],
  // unique per upstream (Kong's cache_key upstream + target): resolve-upstreams.ts
  targets: [],
  // Kong's certificates have no unique field; an SNI name is unique, and so is a CA's cert_digest
  certificates: [],
  snis: ['name'],
  ca_certificates: ['cert_digest'],
}

/** unique fields whose value is a secret: a violation names the first one's path, never the value */
const SECRET_UNIQUE: ReadonlySet<string> = new Set(['keyauth_credentials.key'])

/** The field a reference by name matches (Kong's endpoint_key). */
const ENDPOINT_KEY: Readonly<Partial<Record<Kind, string>>> = {
  services: 'name', routes: 'name', consumers: 'username', consumer_groups: 'name', upstreams: 'name', snis: 'name',
}

export interface KindIndex {
  readonly byId: ReadonlyMap<string, Draft>
  readonly byName: ReadonlyMap<string, Draft>
}

function violation (kind: Kind, field: string, value: string, first: Draft): string {
  if (SECRET_UNIQUE.has(`${kind}.${field}`)) return `uniqueness violation: '${kind}' entity with the same ${field} already declared at ${first.path}`
  return `uniqueness violation: '${kind}' entity with ${field} set to '${value}' already declared at ${first.path}`
}

/** Indexes drafts of one kind by id and endpoint key, reporting every repeated id or unique field. */
export function indexDrafts (kind: Kind, drafts: readonly Draft[], issues: ConfigIssue[]): KindIndex {
  const byId = new Map<string, Draft>()
  const seen = new Map<string, Map<string, Draft>>(UNIQUE[kind].map((field) => [field, new Map()]))
  for (const draft of drafts) {
    const first = byId.get(draft.id)
    if (first === undefined) byId.set(draft.id, draft)
    else if (draft.fields.id !== null || first.fields.id !== null) {
      // two generated ids collide only for a plugin repeated on one scope, which plugins.ts reports
      const path = draft.fields.id === null ? draft.path : joinPath(draft.path, 'id')
      issues.push({ path, message: violation(kind, 'primary key', draft.id, first) })
    }
    for (const [field, values] of seen) {
      const value = draft.fields[field]
      if (typeof value !== 'string') continue
      const earlier = values.get(value)
      if (earlier === undefined) values.set(value, draft)
      else issues.push({ path: joinPath(draft.path, field), message: violation(kind, field, value, earlier) })
    }
  }
  const key = ENDPOINT_KEY[kind]
  return { byId, byName: key === undefined ? new Map() : seen.get(key) ?? new Map() }
}

/**
 * Resolves a reference as DB-less does: a string matches a name first, then an id; `{name}` and `{id}`
 * match only that. Returns the id, or null (reported) when nothing matches or the value is malformed.
 */
export function resolveReference (
  value: unknown, field: string, target: Kind, index: KindIndex, path: string, issues: ConfigIssue[]
): string | null {
  // a malformed reference was reported by the schema already
  if (foreignProblem(value) !== null) return null
  let found: Draft | undefined
  if (typeof value === 'string') found = index.byName.get(value) ?? index.byId.get(value)
  else {
    const ref = value as { id?: string, name?: string }
    found = ref.id !== undefined ? index.byId.get(ref.id) : index.byName.get(ref.name ?? '')
  }
  if (found !== undefined) return found.id
  const shown = typeof value === 'string' ? value : JSON.stringify(value)
  issues.push({ path, message: `invalid reference '${field}: ${shown}' (no such entry in '${target}')` })
  return null
}
