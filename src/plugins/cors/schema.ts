// Kong's cors plugin (kong/plugins/cors/schema.lua): field names, types, defaults and messages are Kong's.
// `origins` entries are "*" or anything that compiles as a regex (Kong's validate_asterisk_or_regex, on
// PCRE); here it must compile as a JavaScript RegExp, and escapes PCRE reads differently from JavaScript
// (\A, \z, \Q...\E: in a JavaScript regex without the u flag they would silently match letters) are
// refused with the same message.

import type { PluginSchema } from '../types.ts'
import { anchoredRegex } from './origins.ts'

/** handler.lua's default methods, and the only ones schema.lua accepts */
export const METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'])

/** letters after '\' that a JavaScript RegExp (without the u flag) reads as PCRE does */
const JS_ESCAPE_LETTERS = new Set('bBdDwWsSnrtfvcxuk')

function hasPcreOnlyEscape (value: string): boolean {
  for (let i = 0; i < value.length - 1; i++) {
    if (value.charCodeAt(i) !== 92) continue
    const next = value[i + 1]
    if (/[A-Za-z]/.test(next) && !JS_ESCAPE_LETTERS.has(next)) return true
    i++
  }
  return false
}

/** Kong's validate_asterisk_or_regex */
function asteriskOrRegex (value: string): string | null {
  if (value === '*') return null
  const message = `'${value}' is not a valid regex`
  if (hasPcreOnlyEscape(value)) return message
  try {
    // the regex as the handler compiles it, so what passes here compiles there
    anchoredRegex(value)
    new RegExp(value) // eslint-disable-line no-new
  } catch {
    return message
  }
  return null
}

export const corsSchema: PluginSchema = {
  name: 'cors',
  // schema.lua: consumer = typedefs.no_consumer
  noConsumer: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      /** allowed origins: plain strings, "*" or regexes; none: every origin */
      origins: { type: 'array', elements: { type: 'string', custom: asteriskOrRegex } },
      /** Access-Control-Allow-Headers; none: the request's Access-Control-Request-Headers */
      headers: { type: 'array', elements: { type: 'string' } },
      /** Access-Control-Expose-Headers */
      exposed_headers: { type: 'array', elements: { type: 'string' } },
      /** Access-Control-Allow-Methods */
      methods: { type: 'array', default: METHODS, elements: { type: 'string', one_of: METHODS } },
      /** Access-Control-Max-Age, in seconds */
      max_age: { type: 'number' },
      /** send Access-Control-Allow-Credentials: true */
      credentials: { type: 'boolean', required: true, default: false },
      /** answer Access-Control-Request-Private-Network: true with Access-Control-Allow-Private-Network */
      private_network: { type: 'boolean', required: true, default: false },
      /** proxy preflight requests to the upstream instead of answering them */
      preflight_continue: { type: 'boolean', required: true, default: false },
      /** add the headers to responses for requests without an Origin too */
      allow_origin_absent: { type: 'boolean', required: true, default: true },
    },
  },
}
