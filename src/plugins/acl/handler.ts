// Kong's acl access phase (kong/plugins/acl/handler.lua ACLHandler:access, groups.lua): the caller is the
// consumer an auth plugin identified (ctx.consumer, or the credential's consumer_id as
// get_current_consumer_id) with its acl groups, or the groups another plugin authenticated
// (kong.ctx.shared.authenticated_groups, as get_authenticated_groups reads them). No caller: 401
// "Unauthorized" (403 "You cannot consume this service" when a credential was identified). Blocked: 403.
// Let through: X-Consumer-Groups (or X-Authenticated-Groups for authenticated groups) upstream, unless
// hide_groups_header.
// The rules (a Set of the config's groups) are built once per instance; the verdict for a consumer's
// groups is remembered by the index's groups array (one per consumer, frozen for the compile), as Kong's
// config.cache, so a known consumer costs two Map lookups and no string building.

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
}

export function createAcl (plugin: Plugin, priority: number, _services: unknown, view: ConfigView): PluginInstance {
  const config = plugin.config as unknown as AclConfig
  const state: AclState = { config, rules: rulesOf(config), credentials: view.credentials, verdicts: new Map() }
  return accessOnlyInstance(plugin, priority, (ctx: ProxyContext) => access(state, ctx), () => state.verdicts.clear())
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
  const groups = state.credentials.groups(consumerId)
  // a consumer without groups: in no group, which deny lets through and allow does not
  if (groups.length === 0 && !state.rules.deny) {
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
