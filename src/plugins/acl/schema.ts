// Kong's acl plugin config (kong/plugins/acl/schema.lua): field names, types, defaults and the entity checks
// (only_one_of and at_least_one_of allow / deny) are Kong's. include_consumer_groups is Kong Enterprise's
// field; Tollgate accepts it only false, as consumer groups are refused at load.

import type { ConfigIssue } from '../../core/errors.ts'
import { allOf, atLeastOneOf, onlyOneOf } from '../../config/schema/checks.ts'
import { NOT_BUILT } from '../../config/schema/typedefs.ts'
import type { PluginSchema } from '../types.ts'

function noConsumerGroups (config: Record<string, unknown>): ConfigIssue[] {
  return config.include_consumer_groups === true
    ? [{ path: 'include_consumer_groups', message: `consumer groups are ${NOT_BUILT}` }]
    : []
}

export const aclSchema: PluginSchema = {
  name: 'acl',
  // schema.lua: consumer = typedefs.no_consumer
  noConsumer: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      /** groups allowed to consume the route or service (exactly one of allow and deny) */
      allow: { type: 'array', elements: { type: 'string' } },
      /** groups refused */
      deny: { type: 'array', elements: { type: 'string' } },
      /** true: no X-Consumer-Groups (or X-Authenticated-Groups) header upstream */
      hide_groups_header: { type: 'boolean', required: true, default: false },
      /** true: groups another plugin authenticated override the consumer's own even for a credential */
      always_use_authenticated_groups: { type: 'boolean', required: true, default: false },
      /** Kong Enterprise: also match the consumer's consumer groups; only false here */
      include_consumer_groups: { type: 'boolean', required: true, default: false },
    },
    checks: allOf(onlyOneOf('allow', 'deny'), atLeastOneOf('allow', 'deny'), noConsumerGroups),
  },
}
