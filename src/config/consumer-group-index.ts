// Consumer group membership indexed once per compile, both ways: the chain resolver (plugins/chain.ts) asks
// which consumers a group-scoped plugin concerns and in which groups a consumer is; acl's
// include_consumer_groups asks a consumer's group names. A consumer's groups are sorted by group name:
// Kong applies, of two groups with the same plugin, the group first in alphabetical order
// (developer.konghq.com/gateway/entities/plugin/#plugin-precedence, "Note on precedence for Consumer Groups").

import type { Entities } from './types.ts'

export interface ConsumerGroupIndex {
  /** the ids of the groups the consumer is in, by group name; [] when none */
  groupsOf (consumerId: string): readonly string[]
  /** the same groups' names, in the same order; [] when none */
  namesOf (consumerId: string): readonly string[]
  /** the ids of the group's consumers, in declaration order; [] when none */
  membersOf (groupId: string): readonly string[]
}

const NONE: readonly string[] = Object.freeze([])

export const NO_CONSUMER_GROUPS: ConsumerGroupIndex = Object.freeze({
  groupsOf: () => NONE,
  namesOf: () => NONE,
  membersOf: () => NONE,
})

function push (map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

export function createConsumerGroupIndex (entities: Pick<Entities, 'consumer_groups' | 'consumer_group_consumers'>): ConsumerGroupIndex {
  if (entities.consumer_group_consumers.length === 0) return NO_CONSUMER_GROUPS
  const names = new Map(entities.consumer_groups.map((group) => [group.id, group.name]))
  const groups = new Map<string, string[]>()
  const members = new Map<string, string[]>()
  for (const { consumer_group: group, consumer } of entities.consumer_group_consumers) {
    push(groups, consumer.id, group.id)
    push(members, group.id, consumer.id)
  }
  const groupNames = new Map<string, readonly string[]>()
  for (const [consumerId, ids] of groups) {
    // names are unique: a plain comparison orders them (as Lua compares strings for ASCII names)
    ids.sort((a, b) => names.get(a)! < names.get(b)! ? -1 : 1)
    Object.freeze(ids)
    groupNames.set(consumerId, Object.freeze(ids.map((id) => names.get(id)!)))
  }
  for (const ids of members.values()) Object.freeze(ids)
  return Object.freeze({
    groupsOf: (consumerId: string) => groups.get(consumerId) ?? NONE,
    namesOf: (consumerId: string) => groupNames.get(consumerId) ?? NONE,
    membersOf: (groupId: string) => members.get(groupId) ?? NONE,
  })
}
