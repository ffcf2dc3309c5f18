// Query strings and form bodies as Kong's request-transformer reads and writes them: parsed as
// ngx.decode_args / kong.request.get_query (`?a` is true, a repeated name an array; queryArgs), written as
// kong.service.request.set_query (kong/pdk/service/request.lua: names in lexicographic order, an array
// as the name repeated, true as the bare name, values percent-encoded with %20 for a space).
// Per request, only on routes whose config has query or form-body rules.

import type { QueryArgs } from '../request-termination/echo.ts'

export type ArgValue = string | true | Array<string | true>

/** set_query's encoding; `sorted` false keeps insertion order (ngx.encode_args for a form body) */
export function encodeArgs (args: QueryArgs, sorted: boolean): string {
  const names = Object.keys(args)
  if (sorted) names.sort()
  let out = ''
  for (let i = 0; i < names.length; i++) {
    const name = encodeURIComponent(names[i])
    const value = args[names[i]]
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) out = appendArg(out, name, value[j])
    } else {
      out = appendArg(out, name, value)
    }
  }
  return out
}

function appendArg (out: string, name: string, value: string | true): string {
  const pair = value === true ? name : `${name}=${encodeURIComponent(value)}`
  return out === '' ? pair : `${out}&${pair}`
}

/** access.lua append_value: a string becomes [it, value], an array grows, nothing becomes the value alone */
export function appendArgValue (current: ArgValue | undefined, value: string): ArgValue {
  if (current === undefined) return value
  if (Array.isArray(current)) {
    current.push(value)
    return current
  }
  return [current, value]
}
