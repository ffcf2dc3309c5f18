// Kong's acl plugin config (kong/plugins/acl/schema.lua): field names, types, defaults and the entity checks
// (only_one_of and at_least_one_of allow / deny) are Kong's. include_consumer_groups is Kong Enterprise's
// field (developer.konghq.com/plugins/acl/: consumer group names may be listed in allow and deny).

import { allOf, atLeastOneOf, onlyOneOf } from '../../config/schema/checks.ts'
import type { PluginSchema } from '../types.ts'

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
      /** Kong Enterprise: the consumer's consumer group names count as its groups too */
      include_consumer_groups: { type: 'boolean', required: true, default: false },
    },
    checks: allOf(onlyOneOf('allow', 'deny'), atLeastOneOf('allow', 'deny')),
  },
}
