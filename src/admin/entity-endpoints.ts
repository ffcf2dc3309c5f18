// The entity endpoints of DB-less Kong's Admin API: /services, /routes, /consumers, /consumer_groups
// (whose own shapes are in consumer-group-endpoints.ts), /plugins, the
// credentials (/key-auths, /basic-auths, /jwts, /acls: each daos.lua's admin_api_name), /certificates (keys
// redacted), /snis, /ca_certificates, their items by id or
// endpoint key, and the nested collections (/services/{s}/routes, /routes/{r}/plugins, /consumers/{c}/key-auth
// and Kong's other admin_api_nested_name paths, ...). Credential secrets are redacted (entity-index.ts).
// Reads page and filter as Kong; writes answer 405 with Kong's "operation unsupported" body (a DELETE of
// something absent is 204, as Kong's DAO deletes are idempotent); a missing parent or item is 404.

import type { LoadedConfig } from '../config/types.ts'
import { isUuid } from '../config/schema/typedefs.ts'
import { pluginSchemas } from '../plugins/schemas.ts'
import { ENDPOINT_KEY, entityIndex, type Entity, type EntityIndex, type Kind } from './entity-index.ts'
import { METHOD_NOT_ALLOWED, NOT_FOUND, operationUnsupported } from './kong-errors.ts'
import { listPage, parseListQuery } from './paging.ts'
import { consumerGroupEndpoint } from './consumer-group-endpoints.ts'
import type { AdminHandler, AdminRequest, AdminResult } from './types.ts'

/** the first path segment → the entities it lists (Kong's admin_api_name for the credentials) */
const PATHS: Readonly<Record<string, Kind>> = {
  services: 'services',
  routes: 'routes',
  consumers: 'consumers',
  consumer_groups: 'consumer_groups',
  plugins: 'plugins',
  'key-auths': 'keyauth_credentials',
  'basic-auths': 'basicauth_credentials',
  jwts: 'jwt_secrets',
  acls: 'acls',
  certificates: 'certificates',
  snis: 'snis',
  ca_certificates: 'ca_certificates',
}

/** child collections under an entity: path segment → the child kind and its field that points at the parent */
const NESTED: Readonly<Partial<Record<Kind, Readonly<Record<string, { kind: Kind, field: string }>>>>> = {
  services: { routes: { kind: 'routes', field: 'service' }, plugins: { kind: 'plugins', field: 'service' } },
  routes: { plugins: { kind: 'plugins', field: 'route' } },
  consumer_groups: { plugins: { kind: 'plugins', field: 'consumer_group' } },
  consumers: {
    plugins: { kind: 'plugins', field: 'consumer' },
    // each daos.lua's admin_api_nested_name
    'key-auth': { kind: 'keyauth_credentials', field: 'consumer' },
    'basic-auth': { kind: 'basicauth_credentials', field: 'consumer' },
    jwt: { kind: 'jwt_secrets', field: 'consumer' },
    acls: { kind: 'acls', field: 'consumer' },
  },
  certificates: { snis: { kind: 'snis', field: 'certificate' } },
}

/** kong/api/routes/certificates.lua prepare_params: a key that is not a UUID names an SNI of the certificate */
const SNI_NOT_FOUND: AdminResult = { status: 404, body: { message: 'SNI not found' } }

function findEntity (index: EntityIndex, kind: Kind, key: string): Entity | null {
  if (kind !== 'certificates' || isUuid(key)) return index.find(kind, key)
  const sni = index.find('snis', key)
  return sni === null ? null : index.find('certificates', parentOf(sni, 'certificate') ?? '')
}

const COLLECTION_ALLOW = 'GET, HEAD, OPTIONS, POST'
const ITEM_ALLOW = 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT'

/** The path's segments, percent-decoded, without a trailing empty one; null when undecodable. */
export function segments (pathname: string): string[] | null {
  const parts = pathname.split('/').slice(1)
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  try {
    return parts.map(decodeURIComponent)
  } catch {
    return null
  }
}

function isRead (method: string): boolean {
  return method === 'GET' || method === 'HEAD'
}

function parentOf (entity: Entity, field: string): string | null {
  const ref = (entity as unknown as Record<string, { id: string } | null | undefined>)[field]
  return ref === null || ref === undefined ? null : ref.id
}

export function collection (req: AdminRequest, kind: Kind, items: readonly Entity[], path: string): AdminResult {
  if (isRead(req.method)) {
    const query = parseListQuery(req.query)
    if ('status' in query) return query
    return listPage(filterConsumers(req, kind, items), query, path)
  }
  if (req.method === 'POST') return operationUnsupported('create', kind)
  if (req.method === 'OPTIONS') return { status: 204, headers: { allow: COLLECTION_ALLOW } }
  return METHOD_NOT_ALLOWED
}

/** GET /consumers?custom_id=x, as Kong's consumers endpoint */
function filterConsumers (req: AdminRequest, kind: Kind, items: readonly Entity[]): readonly Entity[] {
  const customId = req.query.get('custom_id')
  if (kind !== 'consumers' || customId === null) return items
  return items.filter((item) => (item as { custom_id?: string | null }).custom_id === customId)
}

export function item (req: AdminRequest, kind: Kind, entity: Entity | null, key: string): AdminResult {
  const byField = isUuid(key) ? null : ENDPOINT_KEY[kind]
  switch (req.method) {
    case 'GET':
    case 'HEAD': return entity === null ? NOT_FOUND : { status: 200, body: entity }
    case 'PATCH': return entity === null ? NOT_FOUND : operationUnsupported('update', kind, byField)
    case 'PUT': return operationUnsupported('create or update', kind, byField)
    case 'DELETE': return entity === null ? { status: 204 } : operationUnsupported('remove', kind, byField)
    case 'OPTIONS': return { status: 204, headers: { allow: ITEM_ALLOW } }
    default: return METHOD_NOT_ALLOWED
  }
}

function nested (req: AdminRequest, index: EntityIndex, kind: Kind, parent: Entity, parts: readonly string[]): AdminResult | null {
  const nestedKind = Object.hasOwn(NESTED[kind] ?? {}, parts[2]) ? NESTED[kind]![parts[2]] : undefined
  if (kind === 'routes' && parts[2] === 'service' && parts.length === 3) {
    const serviceId = parentOf(parent, 'service')
    const service = serviceId === null ? null : index.find('services', serviceId)
    if (service === null && req.method !== 'PUT') return NOT_FOUND
    return item(req, 'services', service, serviceId ?? '')
  }
  if (nestedKind === undefined) return null
  const { kind: child, field } = nestedKind
  const children = index.list(child).filter((entity) => parentOf(entity, field) === parent.id)
  if (parts.length === 3) return collection(req, child, children, `/${pathOf(kind)}/${encodeURIComponent(parts[1])}/${parts[2]}`)
  const found = index.find(child, parts[3])
  return item(req, child, found !== null && parentOf(found, field) === parent.id ? found : null, parts[3])
}

function pluginsEnabled (req: AdminRequest): AdminResult {
  if (!isRead(req.method)) return METHOD_NOT_ALLOWED
  return { status: 200, body: { enabled_plugins: [...pluginSchemas.keys()].sort() } }
}

function pathOf (kind: Kind): string {
  return Object.keys(PATHS).find((path) => PATHS[path] === kind)!
}

export function entitiesHandler (config: () => LoadedConfig): AdminHandler {
  return (req) => {
    if (!Object.hasOwn(PATHS, req.pathname.split('/')[1])) return null
    const parts = segments(req.pathname)
    if (parts === null || parts.length > 4) return NOT_FOUND
    const kind = PATHS[parts[0]]
    const loaded = config()
    const index = entityIndex(loaded)
    const membership = consumerGroupEndpoint(req, loaded, index, parts)
    if (membership !== null) return membership
    if (parts.length === 1) return collection(req, kind, index.list(kind), `/${parts[0]}`)
    if (kind === 'plugins' && parts[1] === 'enabled' && parts.length === 2) return pluginsEnabled(req)
    const entity = findEntity(index, kind, parts[1])
    if (entity === null && kind === 'certificates' && !isUuid(parts[1]) && req.method !== 'PUT') return SNI_NOT_FOUND
    if (parts.length === 2) return item(req, kind, entity, parts[1])
    return entity === null ? NOT_FOUND : nested(req, index, kind, entity, parts)
  }
}
