// Kong's correlation-id plugin (kong/plugins/correlation-id/schema.lua): field names, defaults and rules
// are Kong's. header_name is not required in Kong's schema but has a default; an explicit null is
// refused here (Kong's access phase would fail on kong.request.get_header(nil) for every request).

import type { PluginSchema } from '../types.ts'

export const GENERATORS = ['uuid', 'uuid#counter', 'tracker'] as const
export type Generator = typeof GENERATORS[number]

export const correlationIdSchema: PluginSchema = {
  name: 'correlation-id',
  noConsumer: false,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      /** the request header carrying the id upstream (and downstream with echo_downstream) */
      header_name: { type: 'string', required: true, default: 'Kong-Request-ID' },
      generator: { type: 'string', required: true, default: 'uuid#counter', one_of: GENERATORS },
      /** also send the id back to the client, in header_filter */
      echo_downstream: { type: 'boolean', required: true, default: false },
    },
  },
}
