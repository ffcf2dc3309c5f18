// Turns the validated document's nested entities (routes and plugins under services, plugins under routes,
// consumers and consumer groups, credentials under consumers, targets under upstreams) into flat lists of
// drafts (and snis under certificates), each remembering its JSON path for error messages and the entity it was nested under, which
// becomes its scope.

import type { ConfigIssue } from '../core/errors.ts'
import { CREDENTIAL_KINDS, type CredentialKind } from './schema/credentials.ts'
import { joinPath } from './schema/engine.ts'

export type Kind = 'services' | 'routes' | 'consumers' | 'consumer_groups' | 'plugins' | 'upstreams' | 'targets' | CredentialKind |
  'certificates' | 'snis' | 'ca_certificates'

/** The field that points a child at a parent of this kind (Kong's foreign key names). */
export const FOREIGN_KEY = {
  services: 'service', routes: 'route', consumers: 'consumer', consumer_groups: 'consumer_group', upstreams: 'upstream', certificates: 'certificate',
} as const

type Parent = keyof typeof FOREIGN_KEY

function isParent (kind: Kind): kind is Parent {
  return Object.hasOwn(FOREIGN_KEY, kind)
}

export interface Draft {
  readonly kind: Kind
  /** JSON path in the input, e.g. services[0].routes[1] */
  readonly path: string
  /** the schema-validated record, defaults applied */
  readonly fields: Readonly<Record<string, unknown>>
  /** the entity it is nested under, if any */
  readonly parent: Draft | null
  /** position in the array it was found in */
  readonly index: number
  /** given or generated, set by resolve-entities.ts */
  id: string
}

export interface Drafts {
  readonly services: Draft[]
  readonly routes: Draft[]
  readonly consumers: Draft[]
  readonly consumer_groups: Draft[]
  readonly plugins: Draft[]
  readonly keyauth_credentials: Draft[]
  readonly basicauth_credentials: Draft[]
  readonly jwt_secrets: Draft[]
  readonly acls: Draft[]
  readonly upstreams: Draft[]
  readonly targets: Draft[]
  readonly certificates: Draft[]
  readonly snis: Draft[]
  readonly ca_certificates: Draft[]
}

/** A certificate's nested SNI as a record: decK writes a name, Kong's own export `{ name, ... }` (schema/certificate.ts). */
function sniRecord (value: unknown): Record<string, unknown> | null {
  // anything else was reported by the schema
  if (typeof value !== 'string' && (typeof value !== 'object' || value === null || Array.isArray(value))) return null
  const given = typeof value === 'string' ? { name: value } : value as Record<string, unknown>
  return { id: null, tags: null, created_at: null, updated_at: null, ...given, certificate: given.certificate ?? null }
}

function records (value: unknown): Array<Record<string, unknown> | null> {
  return Array.isArray(value) ? value as Array<Record<string, unknown> | null> : []
}

function collect (drafts: Drafts, kind: Kind, list: unknown, base: string, parent: Draft | null, issues: ConfigIssue[]): void {
  const path = joinPath(base, kind)
  records(list).forEach((fields, index) => {
    // null: the element was invalid, and already reported
    if (fields === null) return
    const draft: Draft = { kind, path: joinPath(path, index), fields, parent, index, id: '' }
    if (parent !== null && isParent(parent.kind)) {
      const key = FOREIGN_KEY[parent.kind]
      if (fields[key] !== null) {
        const article = key === 'upstream' ? 'an' : 'a'
        issues.push({ path: joinPath(draft.path, key), message: `must not be set: the ${kind.slice(0, -1)} is nested under ${article} ${key}` })
      }
    }
    drafts[kind].push(draft)
    if (kind === 'services') collect(drafts, 'routes', fields.routes, draft.path, draft, issues)
    if (Object.hasOwn(FOREIGN_KEY, kind)) collect(drafts, 'plugins', fields.plugins, draft.path, draft, issues)
    if (kind === 'consumers') {
      for (const credential of CREDENTIAL_KINDS) collect(drafts, credential, fields[credential], draft.path, draft, issues)
    }
    if (kind === 'upstreams') collect(drafts, 'targets', fields.targets, draft.path, draft, issues)
    if (kind === 'certificates') collect(drafts, 'snis', records(fields.snis).map(sniRecord), draft.path, draft, issues)
  })
}

/**
 * Flattens in document order: services (with their routes), top-level routes, consumers (with their
 * credentials), consumer groups, plugins, each kind of top-level credentials, upstreams (with their
 * targets), top-level targets, certificates (with their snis), top-level snis, ca_certificates.
 */
export function flatten (document: Readonly<Record<string, unknown>>, issues: ConfigIssue[]): Drafts {
  const drafts: Drafts = {
    services: [],
    routes: [],
    consumers: [],
    consumer_groups: [],
    plugins: [],
    keyauth_credentials: [],
    basicauth_credentials: [],
    jwt_secrets: [],
    acls: [],
    upstreams: [],
    targets: [],
    certificates: [],
    snis: [],
    ca_certificates: [],
  }
  collect(drafts, 'services', document.services, '', null, issues)
  collect(drafts, 'routes', document.routes, '', null, issues)
  collect(drafts, 'consumers', document.consumers, '', null, issues)
  collect(drafts, 'consumer_groups', document.consumer_groups, '', null, issues)
  collect(drafts, 'plugins', document.plugins, '', null, issues)
  for (const credential of CREDENTIAL_KINDS) collect(drafts, credential, document[credential], '', null, issues)
  collect(drafts, 'upstreams', document.upstreams, '', null, issues)
  collect(drafts, 'targets', document.targets, '', null, issues)
  collect(drafts, 'certificates', document.certificates, '', null, issues)
  collect(drafts, 'snis', document.snis, '', null, issues)
  collect(drafts, 'ca_certificates', document.ca_certificates, '', null, issues)
  return drafts
}
