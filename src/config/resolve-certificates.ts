// Stage: config load, on the main thread (resolve-entities.ts). The certificates, snis and ca_certificates
// entities from their drafts: ids (given, or derived as below so reloads keep them), each SNI's certificate
// (by nesting, or the top-level `certificate` reference by id), a CA's cert_digest (ca_certificates.lua
// transformations), and the references services and upstreams make to them, checked with JSON paths.

import type { ConfigIssue } from '../core/errors.ts'
import type { CaCertificate, Certificate, ForeignKey, Sni } from './types.ts'
import type { Draft, Drafts } from './flatten.ts'
import { generatedId } from './ids.ts'
import { indexDrafts, resolveReference, type KindIndex } from './references.ts'
import { joinPath } from './schema/engine.ts'
import { parseCertificate } from './schema/pem.ts'
import { isUuid } from './schema/typedefs.ts'

type Fields = Readonly<Record<string, unknown>>

export interface CertificateRefs {
  readonly certificates: KindIndex
  readonly caIds: ReadonlySet<string>
}

function times (f: Fields, now: number): { created_at: number, updated_at: number } {
  const created = (f.created_at as number | null) ?? now
  return { created_at: created, updated_at: (f.updated_at as number | null) ?? created }
}

/**
 * ca_certificates.lua: sha256 of the certificate, lower-case hex (Node's fingerprint256 is the same digest,
 * colon-separated); '' for one that does not parse (the schema reported it, the config fails)
 */
export function certDigest (pem: string): string {
  return parseCertificate(pem)?.fingerprint256.replaceAll(':', '').toLowerCase() ?? ''
}

/**
 * Kong DB-less gives an id-less certificate a random id; Tollgate derives one from the certificate so that
 * reloads keep it (a second certificate with the same cert gets its position added).
 */
function assignIds (drafts: readonly Draft[], key: (draft: Draft) => string, kind: 'certificates' | 'ca_certificates'): void {
  const seen = new Set<string>()
  for (const draft of drafts) {
    if (typeof draft.fields.id === 'string') {
      draft.id = draft.fields.id
      continue
    }
    let name = key(draft)
    if (seen.has(name)) name = `${name}/${draft.path}`
    seen.add(name)
    draft.id = generatedId(kind, name)
  }
}

function sniCertificate (draft: Draft, certificates: KindIndex, issues: ConfigIssue[]): string | null {
  if (draft.parent !== null) return draft.parent.id
  const ref = draft.fields.certificate
  const path = joinPath(draft.path, 'certificate')
  if (ref === null) {
    issues.push({ path, message: 'required field missing' })
    return null
  }
  return resolveReference(ref, 'certificate', 'certificates', certificates, path, issues)
}

function buildSnis (drafts: readonly Draft[], certificates: KindIndex, now: number, issues: ConfigIssue[]): Sni[] {
  const out: Sni[] = []
  for (const draft of drafts) {
    const f = draft.fields
    draft.id = typeof f.id === 'string' ? f.id : generatedId('snis', f.name as string)
    const certificate = sniCertificate(draft, certificates, issues)
    if (certificate === null) continue
    out.push({ id: draft.id, name: f.name as string, certificate: { id: certificate }, tags: f.tags as string[] | null, ...times(f, now) })
  }
  // snis.lua: name unique
  indexDrafts('snis', drafts, issues)
  return out
}

function buildCertificate (draft: Draft, snis: readonly Sni[], now: number): Certificate {
  const f = draft.fields
  const names = snis.filter((sni) => sni.certificate.id === draft.id).map((sni) => sni.name).sort()
  return {
    id: draft.id,
    cert: f.cert as string,
    key: f.key as string,
    cert_alt: f.cert_alt as string | null,
    key_alt: f.key_alt as string | null,
    tags: f.tags as string[] | null,
    snis: names,
    ...times(f, now),
  }
}

function buildCaCertificate (draft: Draft, now: number): CaCertificate {
  const f = draft.fields
  return { id: draft.id, cert: f.cert as string, cert_digest: f.cert_digest as string, tags: f.tags as string[] | null, ...times(f, now) }
}

export interface BuiltCertificates {
  readonly certificates: Certificate[]
  readonly snis: Sni[]
  readonly ca_certificates: CaCertificate[]
  readonly refs: CertificateRefs
}

export function buildCertificates (drafts: Drafts, now: number, issues: ConfigIssue[]): BuiltCertificates {
  assignIds(drafts.certificates, (draft) => certDigest(draft.fields.cert as string), 'certificates')
  const certificates = indexDrafts('certificates', drafts.certificates, issues)
  const snis = buildSnis(drafts.snis, certificates, now, issues)
  drafts.ca_certificates.forEach((draft, i) => {
    // computed, whatever the file says (a decK dump carries Kong's, which is the same digest)
    drafts.ca_certificates[i] = { ...draft, fields: { ...draft.fields, cert_digest: certDigest(draft.fields.cert as string) } }
  })
  assignIds(drafts.ca_certificates, (draft) => draft.fields.cert_digest as string, 'ca_certificates')
  const cas = indexDrafts('ca_certificates', drafts.ca_certificates, issues)
  return {
    certificates: drafts.certificates.map((draft) => buildCertificate(draft, snis, now)),
    snis,
    ca_certificates: drafts.ca_certificates.map((draft) => buildCaCertificate(draft, now)),
    refs: { certificates, caIds: new Set(cas.byId.keys()) },
  }
}

/** A service's or upstream's client_certificate, resolved to {id} (certificates have no name: by id only). */
export function clientCertificate (draft: Draft, refs: CertificateRefs, issues: ConfigIssue[]): ForeignKey | null {
  const ref = draft.fields.client_certificate
  if (ref === null || ref === undefined) return null
  const id = resolveReference(ref, 'client_certificate', 'certificates', refs.certificates, joinPath(draft.path, 'client_certificate'), issues)
  return id === null ? null : { id }
}

/** A service's ca_certificates, each one that exists (kong/runloop/certificate.lua fetch_ca_certificates' message). */
export function caCertificates (draft: Draft, refs: CertificateRefs, issues: ConfigIssue[]): string[] | null {
  const ids = draft.fields.ca_certificates as string[] | null
  if (ids === null || ids.length === 0) return null
  ids.forEach((id, i) => {
    // a malformed id was reported by the schema already
    if (isUuid(id) && !refs.caIds.has(id)) issues.push({ path: joinPath(joinPath(draft.path, 'ca_certificates'), i), message: `CA Certificate '${id}' does not exist` })
  })
  return ids
}
