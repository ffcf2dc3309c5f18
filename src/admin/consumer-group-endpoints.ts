// Kong Enterprise's consumer group endpoints whose answers are not a plain entity or page
// (kong/api/routes/consumer_groups.lua): GET /consumer_groups/{id|name} as {consumer_group, plugins,
// consumers}; /consumer_groups/{g}/consumers as {consumers} and /consumers/{c}/consumer_groups as
// {consumer_groups}, and one member of either as {consumer} or {consumer_group}; with that file's 404
// messages ("Group 'x' not found", "Consumer 'x' not found", "... not found in Group ..."). The list
// /consumer_groups and /consumer_groups/{g}/plugins are entity-endpoints.ts's. DB-less: reads only.

import type { Consumer, ConsumerGroup, LoadedConfig } from '../config/types.ts'
import type { EntityIndex } from './entity-index.ts'
import { operationUnsupported } from './kong-errors.ts'
import type { AdminRequest, AdminResult } from './types.ts'

function notFound (message: string): AdminResult {
  return { status: 404, body: { message } }
}

function isRead (req: AdminRequest): boolean {
  return req.method === 'GET' || req.method === 'HEAD'
}

/** Members of a group, or groups of a consumer, in file order of the memberships. */
function related (config: LoadedConfig, index: EntityIndex, by: 'consumer_group' | 'consumer', id: string): Array<Consumer | ConsumerGroup> {
  const other = by === 'consumer' ? 'consumer_group' : 'consumer'
  const kind = by === 'consumer' ? 'consumer_groups' : 'consumers'
  const out: Array<Consumer | ConsumerGroup> = []
  for (const row of config.entities.consumer_group_consumers) {
    if (row[by].id === id) out.push(index.find(kind, row[other].id) as Consumer | ConsumerGroup)
  }
  return out
}

function isMember (config: LoadedConfig, groupId: string, consumerId: string): boolean {
  return config.entities.consumer_group_consumers.some((row) => row.consumer_group.id === groupId && row.consumer.id === consumerId)
}

function groupItem (req: AdminRequest, config: LoadedConfig, index: EntityIndex, group: ConsumerGroup): AdminResult {
  if (!isRead(req)) return operationUnsupported(req.method === 'PUT' ? 'create or update' : req.method === 'DELETE' ? 'remove' : 'update', 'consumer_groups')
  const plugins = index.list('plugins').filter((plugin) => (plugin as { consumer_group?: { id: string } | null }).consumer_group?.id === group.id)
  return { status: 200, body: { consumer_group: group, plugins, consumers: related(config, index, 'consumer_group', group.id) } }
}

/** /consumer_groups/{g}[/consumers[/{c}]] */
function fromGroup (req: AdminRequest, config: LoadedConfig, index: EntityIndex, parts: readonly string[]): AdminResult | null {
  if (parts.length > 2 && parts[2] !== 'consumers') return null
  const group = index.find('consumer_groups', parts[1]) as ConsumerGroup | null
  if (group === null) return notFound(`Group '${parts[1]}' not found`)
  if (parts.length === 2) return groupItem(req, config, index, group)
  if (!isRead(req)) return operationUnsupported(req.method === 'POST' ? 'create' : 'remove', 'consumer_group_consumers')
  if (parts.length === 3) return { status: 200, body: { consumers: related(config, index, 'consumer_group', group.id) } }
  const consumer = index.find('consumers', parts[3]) as Consumer | null
  if (consumer === null) return notFound(`Consumer '${parts[3]}' not found`)
  if (!isMember(config, group.id, consumer.id)) return notFound(`Consumer '${consumer.id}' not found in Group '${group.id}'`)
  return { status: 200, body: { consumer } }
}

/** /consumers/{c}/consumer_groups[/{g}] */
function fromConsumer (req: AdminRequest, config: LoadedConfig, index: EntityIndex, parts: readonly string[]): AdminResult {
  const consumer = index.find('consumers', parts[1]) as Consumer | null
  if (consumer === null) return notFound(`Consumer '${parts[1]}' not found`)
  if (!isRead(req)) return operationUnsupported(req.method === 'POST' ? 'create' : 'remove', 'consumer_group_consumers')
  if (parts.length === 3) return { status: 200, body: { consumer_groups: related(config, index, 'consumer', consumer.id) } }
  const group = index.find('consumer_groups', parts[3]) as ConsumerGroup | null
  if (group === null) return notFound(`Group '${parts[3]}' not found`)
  if (!isMember(config, group.id, consumer.id)) return notFound(`Consumer '${consumer.id}' not found in Group '${group.id}'`)
  return { status: 200, body: { consumer_group: group } }
}

/** The answer for a consumer group path with its own shape; null: entity-endpoints.ts answers it. */
export function consumerGroupEndpoint (req: AdminRequest, config: LoadedConfig, index: EntityIndex,
  parts: readonly string[]): AdminResult | null {
  if (req.method === 'OPTIONS') return null
  if (parts[0] === 'consumer_groups' && parts.length >= 2) return fromGroup(req, config, index, parts)
  if (parts[0] === 'consumers' && parts.length >= 3 && parts[2] === 'consumer_groups') return fromConsumer(req, config, index, parts)
  return null
}
