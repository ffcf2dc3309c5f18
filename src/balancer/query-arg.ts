// A query argument's value as Kong's balancer reads it (kong/runloop/balancer/init.lua, get_query_arg, over
// ngx.req.get_uri_args as lua-resty-core parses it): pairs split on '&', key and value %-decoded with '+' as
// space, a key without '=' has the value true ("true" once normalised), pairs with an empty key ignored,
// only the first 100 arguments read (lua_max_uri_args' default). Several values: each as text, sorted,
// joined with ','.
// Attacker input: one pass over the query; a key is decoded only when its raw text could be the name.

import { formUrlDecode } from '../plugins/url-decode.ts'

/** lua_max_uri_args' default, as get_query_arg uses it */
export const MAX_URI_ARGS = 100

/** The value of argument `name` in `query` (the text after '?'), or null when it is not there. */
export function queryArgValue (query: string, name: string): string | null {
  let first: string | null = null
  let more: string[] | null = null
  let args = 0
  let at = 0
  // the next '=' at or after `at`, found once per '=' so a run of '&' without one stays linear
  let eq = -1
  const end = query.length
  while (at < end && args < MAX_URI_ARGS) {
    let stop = query.indexOf('&', at)
    if (stop === -1) stop = end
    if (eq !== end && eq < at) {
      eq = query.indexOf('=', at)
      if (eq === -1) eq = end
    }
    const hasValue = eq < stop
    const keyEnd = hasValue ? eq : stop
    if (keyEnd > at) {
      // a non-empty raw key decodes to a non-empty key, so it counts; it can only be `name` if it is not
      // shorter (decoding never lengthens text), so only those are decoded
      args++
      if (keyEnd - at >= name.length && formUrlDecode(query.slice(at, keyEnd)) === name) {
        const value = hasValue ? formUrlDecode(query.slice(eq + 1, stop)) : 'true'
        if (first === null) first = value
        else (more ??= [first]).push(value)
      }
    }
    at = stop + 1
  }
  if (more === null) return first
  return more.sort().join(',')
}
