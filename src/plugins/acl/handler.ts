// Kong's acl access phase (kong/plugins/acl/handler.lua ACLHandler:access, groups.lua): the caller is the
// consumer an auth plugin identified (ctx.consumer, or the credential's consumer_id as
// get_current_consumer_id) with its acl groups, or the groups another plugin authenticated
// (kong.ctx.shared.authenticated_groups, as get_authenticated_groups reads them). No caller: 401
// "Unauthorized" (403 "You cannot consume this service" when a credential was identified). Blocked: 403.
// Let through: X-Consumer-Groups (or X-Authenticated-Groups for authenticated groups) upstream, unless
// hide_groups_header. With include_consumer_groups (Kong Enterprise) a consumer's consumer group names
// count as groups too (Kong EE's handler merges them into the consumer's acl groups), and are listed in
// X-Consumer-Groups after its acl groups, as the docs describe the header: the groups the consumer is in.
// The rules (a Set of the config's groups) are built once per instance; the verdict for a consumer's
// groups is remembered by the index's groups array (one per consumer, frozen for the compile), as Kong's
// config.cache, so a known consumer costs two Map lookups and no string building.

import type { ConsumerGroupIndex } from '../../config/consumer-group-index.ts'
import type { CredentialIndex } from '../../config/credential-index.ts'
import type { Plugin } from '../../config/types.ts'
import type { ConfigView, PluginInstance, ProxyContext } from '../types.ts'
import { rulesOf, verdict, type AclConfig, type AclRules } from './verdict.ts'
import { accessOnlyInstance } from '../access-only.ts'

const CONSUMER_GROUPS = 'x-consumer-groups'
const AUTHENTICATED_GROUPS = 'x-authenticated-groups'
const DENIED = 'You cannot consume this service'

interface AclState {
  readonly config: AclConfig
  readonly rules: AclRules
  readonly credentials: CredentialIndex
  /** a consumer's groups (the index's array) → its verdict; at most one entry per consumer with acls */
  readonly verdicts: Map<readonly string[], string | null>
  /** include_consumer_groups: the consumer group index; null when off */
  readonly consumerGroups: ConsumerGroupIndex | null
  /** include_consumer_groups: consumer id → acl groups and group names, built on its first request */
  readonly merged: Map<string, readonly string[]>
}

export function createAcl (plugin: Plugin, priority: number, _services: unknown, view: ConfigView): PluginInstance {
  const config = plugin.config as unknown as AclConfig
  const state: AclState = {
    config,
    rules: rulesOf(config),
    credentials: view.credentials,
    verdicts: new Map(),
    consumerGroups: config.include_consumer_groups ? view.consumerGroups : null,
    merged: new Map(),
  }
  return accessOnlyInstance(plugin, priority, (ctx: ProxyContext) => access(state, ctx), () => {
    state.verdicts.clear()
    state.merged.clear()
  })
}

/** The consumer's acl groups, then the names of its consumer groups that are not among them (once per consumer). */
function withConsumerGroups (state: AclState, index: ConsumerGroupIndex, consumerId: string): readonly string[] {
  let groups = state.merged.get(consumerId)
  if (groups === undefined) {
    const acls = state.credentials.groups(consumerId)
    const names = index.namesOf(consumerId)
    groups = names.length === 0 ? acls : Object.freeze(acls.concat(names.filter((name) => !acls.includes(name))))
    state.merged.set(consumerId, groups)
  }
  return groups
}

/** get_authenticated_groups: kong.ctx.shared.authenticated_groups when it is a list; null otherwise */
function authenticatedGroups (ctx: ProxyContext): readonly string[] | null {
  const groups = ctx.shared === null ? undefined : ctx.shared.authenticated_groups
  return Array.isArray(groups) ? groups as string[] : null
}

function access (state: AclState, ctx: ProxyContext): void {
  const consumerId = ctx.consumer?.id ?? ctx.credential?.consumer_id ?? null
  const credential = ctx.credential
  let authenticated: readonly string[] | null = null
  // authenticated groups override an anonymous consumer's (or, when configured, any consumer's) groups
  if (consumerId === null || credential === null || state.config.always_use_authenticated_groups) authenticated = authenticatedGroups(ctx)
  if (authenticated !== null) {
    send(state, ctx, verdict(state.rules, authenticated), AUTHENTICATED_GROUPS)
    return
  }
  if (consumerId === null) {
    noGroups(ctx)
    return
  }
  const groups = state.consumerGroups === null
    ? state.credentials.groups(consumerId)
    : withConsumerGroups(state, state.consumerGroups, consumerId)
  // a consumer without groups: in no group, which deny lets through and allow does not (with
  // include_consumer_groups Kong EE checks the empty merged list instead: 403 even without a credential)
  if (groups.length === 0 && !state.rules.deny && state.consumerGroups === null) {
    noGroups(ctx)
    return
  }
  let result = state.verdicts.get(groups)
  if (result === undefined) {
    result = verdict(state.rules, groups)
    state.verdicts.set(groups, result)
  }
  send(state, ctx, result, CONSUMER_GROUPS)
}

/** No groups to check: 403 when a credential was identified, else Kong's default 401. */
function noGroups (ctx: ProxyContext): void {
  if (ctx.credential !== null) ctx.exit(403, DENIED)
  else ctx.exit(401, 'Unauthorized')
}

function send (state: AclState, ctx: ProxyContext, result: string | null, header: string): void {
  if (result === null) {
    ctx.exit(403, DENIED)
    return
  }
  if (state.rules.hideGroupsHeader) return
  // set_header with '' (a consumer with no groups, let through by deny) removes the header
  if (result === '') delete ctx.upstreamHeaders[header]
  else ctx.upstreamHeaders[header] = result
}
