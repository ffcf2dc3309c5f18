// Kong Enterprise's consumer group (kong/db/schema/entities/consumer_groups.lua: id, name required and
// unique, tags) as decK files carry it (go-database-reconciler pkg/file/types.go, FConsumerGroupObject):
// with its members under `consumers` and its plugins under `plugins`. A consumer names its groups under
// `groups` (FConsumer.Groups). Both membership forms are resolved in config/consumer-group-members.ts.

import { atLeastOneOf } from './checks.ts'
import { annotations, tags, timestamp, uuid } from './typedefs.ts'
import { plugin } from './plugin.ts'
import type { RecordField } from './engine.ts'

/** a consumer's `groups[]` element: the group by id or name (decK writes the whole group; the rest is ignored) */
export const groupReference: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    name: { type: 'string' },
    tags: { ...tags, omit: true },
    created_at: { ...timestamp, omit: true },
    updated_at: { ...timestamp, omit: true },
  },
  checks: atLeastOneOf('id', 'name'),
}

/** a group's `consumers[]` element: the consumer by id, username or custom_id (decK dumps write the consumer) */
export const memberReference: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    username: { type: 'string' },
    custom_id: { type: 'string' },
    tags: { ...tags, omit: true },
    created_at: { ...timestamp, omit: true },
    updated_at: { ...timestamp, omit: true },
  },
  checks: atLeastOneOf('id', 'username', 'custom_id'),
}

export const consumerGroup: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    name: { type: 'string', required: true },
    tags,
    consumers: { type: 'array', elements: memberReference },
    plugins: { type: 'array', elements: plugin },
    created_at: timestamp,
    updated_at: timestamp,
    ...annotations,
  },
}
