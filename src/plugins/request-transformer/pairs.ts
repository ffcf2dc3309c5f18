// The "name:value" strings both transformer plugins take, split as Kong splits them (the iter functions of
// kong/plugins/request-transformer/access.lua and response-transformer/header_transformer.lua:
// `pair:match("^([^:]+):*(.-)$")`): the name runs to the first colon, every colon after it is skipped,
// the rest is the value. Config-load only.

export interface Pair {
  readonly name: string
  /** '' when the entry has no value */
  readonly value: string
}

export function splitPair (entry: string): Pair {
  const colon = entry.indexOf(':')
  if (colon < 0) return { name: entry, value: '' }
  let start = colon
  while (start < entry.length && entry.charCodeAt(start) === 58 /* : */) start++
  return { name: entry.slice(0, colon), value: entry.slice(start) }
}

const HEADER_NAME = /^[A-Za-z0-9_-]+$/

/** kong/tools/http.lua validate_header_name, with the transformers' message */
export function headerNameProblem (name: string): string | null {
  return HEADER_NAME.test(name) ? null : `'${name}' is not a valid header`
}
