// The allow / deny decision of Kong's acl (kong/plugins/acl/handler.lua get_to_be_blocked, groups.lua
// consumer_in_groups / group_in_groups): a request is in group when any of its groups is one the config
// lists; deny blocks those in group, allow those not. The config's groups are a Set built once per
// instance, so a check is one Set lookup per group of the caller.

export interface AclConfig {
  readonly allow: readonly string[] | null
  readonly deny: readonly string[] | null
  readonly hide_groups_header: boolean
  readonly always_use_authenticated_groups: boolean
  readonly include_consumer_groups: boolean
}

export interface AclRules {
  readonly deny: boolean
  readonly groups: ReadonlySet<string>
  readonly hideGroupsHeader: boolean
}

/** handler.lua's config_cache entry: deny when deny has an element, else allow */
export function rulesOf (config: AclConfig): AclRules {
  const deny = config.deny !== null && config.deny.length > 0
  return Object.freeze({
    deny,
    groups: new Set(deny ? config.deny : config.allow ?? []),
    hideGroupsHeader: config.hide_groups_header,
  })
}

/**
 * null: blocked (403). Otherwise the groups header to send upstream: the caller's groups joined with ', '
 * (handler.lua's concat(groups, ", ")), '' when hide_groups_header or when there are none (Kong's
 * set_header of an empty string removes the header).
 */
export function verdict (rules: AclRules, groups: readonly string[]): string | null {
  let inGroup = false
  for (let i = 0; i < groups.length && !inGroup; i++) inGroup = rules.groups.has(groups[i])
  if (rules.deny === inGroup) return null
  return rules.hideGroupsHeader ? '' : groups.join(', ')
}
