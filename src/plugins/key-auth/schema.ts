// Kong's key-auth plugin config (kong/plugins/key-auth/schema.lua): field names, types, defaults and the
// header-name rule of key_names (typedefs.header_name) are Kong's.

import type { PluginSchema } from '../types.ts'

const HEADER_NAME = /^[A-Za-z0-9_-]+$/

function headerName (value: string): string | null {
  return HEADER_NAME.test(value)
    ? null
    : `bad header name '${value}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`
}

export const keyAuthSchema: PluginSchema = {
  name: 'key-auth',
  // schema.lua: consumer = typedefs.no_consumer
  noConsumer: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      /** header, query argument and body field names the key is looked for under, in order */
      key_names: { type: 'array', required: true, default: ['apikey'], elements: { type: 'string', custom: headerName } },
      /** strip the key from the request before it goes upstream */
      hide_credentials: { type: 'boolean', required: true, default: false },
      /** consumer id or username to fall back to when authentication fails (logical OR with other auth plugins) */
      anonymous: { type: 'string' },
      key_in_header: { type: 'boolean', required: true, default: true },
      key_in_query: { type: 'boolean', required: true, default: true },
      key_in_body: { type: 'boolean', required: true, default: false },
      /** false: OPTIONS requests pass unauthenticated */
      run_on_preflight: { type: 'boolean', required: true, default: true },
      /** WWW-Authenticate: Key realm="<realm>" on a 401; plain `Key` when unset */
      realm: { type: 'string' },
    },
  },
}
