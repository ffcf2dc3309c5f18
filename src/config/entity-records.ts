// Stage: config load, on the main thread (load.ts, through resolve-entities.ts); compile runs later, per worker.
// Builds the loaded entities (types.ts shapes, as Kong's Admin API returns them) from validated drafts
// whose ids, references and plugin configs are settled.

import type { Consumer, ConsumerGroup, ForeignKey, Plugin, PluginProtocol, Route, RouteProtocol, Service } from './types.ts'
import type { Draft } from './flatten.ts'
import type { Scope } from './plugins.ts'
import type { ConfigIssue } from '../core/errors.ts'
import { caCertificates, clientCertificate, type CertificateRefs } from './resolve-certificates.ts'

type Fields = Readonly<Record<string, unknown>>

function times (fields: Fields, now: number): { created_at: number, updated_at: number } {
  const created = (fields.created_at as number | null) ?? now
  return { created_at: created, updated_at: (fields.updated_at as number | null) ?? created }
}

function key (id: string | null): ForeignKey | null {
  return id === null ? null : { id }
}

/** `url` was expanded into these by the schema (kong/db/schema/entities/services.lua shorthand). */
function target (fields: Fields): Pick<Service, 'protocol' | 'host' | 'port' | 'path'> {
  return {
    protocol: fields.protocol as 'http' | 'https',
    host: fields.host as string,
    port: (fields.port as number | null) ?? 80,
    path: fields.path as string | null,
  }
}

export function buildService (draft: Draft, refs: CertificateRefs, now: number, issues: ConfigIssue[]): Service {
  const f = draft.fields
  return {
    id: draft.id,
    name: f.name as string | null,
    ...target(f),
    retries: f.retries as number,
    connect_timeout: f.connect_timeout as number,
    write_timeout: f.write_timeout as number,
    read_timeout: f.read_timeout as number,
    tls_verify: f.tls_verify as boolean | null,
    tls_verify_depth: f.tls_verify_depth as number | null,
    ca_certificates: caCertificates(draft, refs, issues),
    client_certificate: clientCertificate(draft, refs, issues),
    enabled: f.enabled as boolean,
    tags: f.tags as string[] | null,
    ...times(f, now),
  }
}

/** Header names are case-insensitive: lower-cased, values of names that differ only in case merged. */
function headers (value: unknown): Record<string, string[]> | null {
  if (value === null) return null
  const out = new Map<string, string[]>()
  for (const [name, values] of Object.entries(value as Record<string, string[] | null>)) {
    // an invalid entry (reported already) is null here; the config is thrown away
    if (!Array.isArray(values)) continue
    const merged = out.get(name.toLowerCase()) ?? []
    for (const item of values) if (!merged.includes(item)) merged.push(item)
    out.set(name.toLowerCase(), merged)
  }
  return out.size === 0 ? null : Object.fromEntries(out)
}

function list (value: unknown): string[] | null {
  return Array.isArray(value) && value.length > 0 ? value as string[] : null
}

export function buildRoute (draft: Draft, service: string | null, now: number): Route {
  const f = draft.fields
  return {
    id: draft.id,
    name: f.name as string | null,
    service: key(service),
    protocols: f.protocols as RouteProtocol[],
    methods: list(f.methods),
    hosts: list(f.hosts),
    paths: list(f.paths),
    headers: headers(f.headers),
    snis: list(f.snis),
    strip_path: f.strip_path as boolean,
    preserve_host: f.preserve_host as boolean,
    path_handling: f.path_handling as 'v0' | 'v1',
    regex_priority: f.regex_priority as number,
    https_redirect_status_code: f.https_redirect_status_code as Route['https_redirect_status_code'],
    request_buffering: f.request_buffering as boolean,
    response_buffering: f.response_buffering as boolean,
    tags: f.tags as string[] | null,
    ...times(f, now),
  }
}

export function buildPlugin (draft: Draft, scope: Scope | null, config: Record<string, unknown> | null, now: number): Plugin {
  const f = draft.fields
  return {
    id: draft.id,
    name: f.name as string,
    instance_name: f.instance_name as string | null,
    config: config ?? {},
    enabled: f.enabled as boolean,
    protocols: f.protocols as PluginProtocol[],
    tags: f.tags as string[] | null,
    service: key(scope?.service ?? null),
    route: key(scope?.route ?? null),
    consumer: key(scope?.consumer ?? null),
    consumer_group: key(scope?.consumer_group ?? null),
    ...times(f, now),
  }
}

export function buildConsumer (draft: Draft, now: number): Consumer {
  const f = draft.fields
  return {
    id: draft.id,
    username: f.username as string | null,
    custom_id: f.custom_id as string | null,
    tags: f.tags as string[] | null,
    ...times(f, now),
  }
}

export function buildConsumerGroup (draft: Draft, now: number): ConsumerGroup {
  const f = draft.fields
  return { id: draft.id, name: f.name as string, tags: f.tags as string[] | null, ...times(f, now) }
}
