// Kong's basic-auth plugin config (kong/plugins/basic-auth/schema.lua): field names, types and defaults are Kong's.

import type { PluginSchema } from '../types.ts'

/** Characters Node refuses in a header value (it would throw when sending WWW-Authenticate) */
function headerSafe (value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if ((code < 32 && code !== 9) || code === 127 || code > 255) return 'must not contain control characters or characters beyond Latin-1 (it is sent in WWW-Authenticate)'
  }
  return null
}

export const basicAuthSchema: PluginSchema = {
  name: 'basic-auth',
  // schema.lua: consumer = typedefs.no_consumer
  noConsumer: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      /** consumer id or username to fall back to when authentication fails (logical OR with other auth plugins) */
      anonymous: { type: 'string' },
      /** strip the Authorization / Proxy-Authorization header the plugin read before proxying */
      hide_credentials: { type: 'boolean', required: true, default: false },
      /** WWW-Authenticate: Basic realm="<realm>" on a 401 */
      realm: { type: 'string', required: true, default: 'service', custom: headerSafe },
    },
  },
}
