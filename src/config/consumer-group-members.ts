// Stage: config load, on the main thread (through resolve-entities.ts).
// Consumer group membership, as decK files give it in either of two places: a consumer's `groups`
// (`[{name}]` or `[{id}]`) and a group's `consumers` (`[{username}]`, `[{custom_id}]` or `[{id}]`). Both
// become Kong's consumer_group_consumers rows (kong/db/schema/entities/consumer_group_consumers.lua, whose
// primary key is the pair), each pair once; an unknown group or consumer is an error at its JSON path.

import type { ConfigIssue } from '../core/errors.ts'
import type { ConsumerGroupConsumer } from './types.ts'
import type { Draft } from './flatten.ts'
import type { KindIndex } from './references.ts'
import { joinPath } from './schema/engine.ts'

type Reference = Readonly<Record<string, unknown>>

/** The references that name something: a null element, or one naming nothing, was reported by the schema. */
function records (value: unknown, keys: readonly string[]): Array<[Reference, number]> {
  if (!Array.isArray(value)) return []
  const out: Array<[Reference, number]> = []
  for (let i = 0; i < value.length; i++) {
    const item = value[i] as Reference | null
    if (item !== null && keys.some((key) => typeof item[key] === 'string')) out.push([item, i])
  }
  return out
}

function shown (ref: Reference): string {
  return JSON.stringify(Object.fromEntries(Object.entries(ref).filter(([, value]) => value !== null)))
}

function findGroup (ref: Reference, groups: KindIndex): Draft | undefined {
  return typeof ref.id === 'string' ? groups.byId.get(ref.id) : groups.byName.get(ref.name as string)
}

function findConsumer (ref: Reference, consumers: KindIndex, byCustomId: ReadonlyMap<string, Draft>): Draft | undefined {
  if (typeof ref.id === 'string') return consumers.byId.get(ref.id)
  if (typeof ref.username === 'string') return consumers.byName.get(ref.username)
  return byCustomId.get(ref.custom_id as string)
}

export function buildMemberships (consumers: readonly Draft[], groups: readonly Draft[], indexes: {
  readonly consumers: KindIndex, readonly consumer_groups: KindIndex
}, issues: ConfigIssue[]): ConsumerGroupConsumer[] {
  const out: ConsumerGroupConsumer[] = []
  const seen = new Set<string>()
  const add = (group: Draft, consumer: Draft): void => {
    const key = `${group.id}|${consumer.id}`
    if (seen.has(key)) return
    seen.add(key)
    out.push({ consumer_group: { id: group.id }, consumer: { id: consumer.id } })
  }
  for (const consumer of consumers) {
    for (const [ref, i] of records(consumer.fields.groups, ['id', 'name'])) {
      const group = findGroup(ref, indexes.consumer_groups)
      if (group !== undefined) add(group, consumer)
      else issues.push({ path: joinPath(joinPath(consumer.path, 'groups'), i), message: `invalid reference 'consumer_group: ${shown(ref)}' (no such entry in 'consumer_groups')` })
    }
  }
  const byCustomId = new Map<string, Draft>()
  for (const consumer of consumers) {
    if (typeof consumer.fields.custom_id === 'string') byCustomId.set(consumer.fields.custom_id, consumer)
  }
  for (const group of groups) {
    for (const [ref, i] of records(group.fields.consumers, ['id', 'username', 'custom_id'])) {
      const consumer = findConsumer(ref, indexes.consumers, byCustomId)
      if (consumer !== undefined) add(group, consumer)
      else issues.push({ path: joinPath(joinPath(group.path, 'consumers'), i), message: `invalid reference 'consumer: ${shown(ref)}' (no such entry in 'consumers')` })
    }
  }
  return out
}
