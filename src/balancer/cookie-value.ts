// A cookie's value from a Cookie header as nginx's $cookie_<name> finds it (the variable Kong's
// get_value_to_hash reads; nginx ngx_http_parse_multi_header_lines with ';' as separator): pairs split on
// ';', spaces before a name skipped, the name compared case-insensitively, spaces around '=' skipped, the
// value running to the next ';'. The first match wins; a pair without '=' is no match.
// Attacker input: one pass, each character looked at a bounded number of times (no split, no regex).

const SEMICOLON = 59
const SPACE = 32
const EQUALS = 61

/** The value of cookie `name` (lower-case) in `header`, or null when it is not there. */
export function cookieValue (header: string, name: string): string | null {
  const end = header.length
  let at = 0
  while (at < end) {
    while (at < end && header.charCodeAt(at) === SPACE) at++
    const matched = nameAt(header, at, name)
    if (matched !== -1) {
      let p = matched
      while (p < end && header.charCodeAt(p) === SPACE) p++
      if (p < end && header.charCodeAt(p) === EQUALS) {
        p++
        while (p < end && header.charCodeAt(p) === SPACE) p++
        const stop = header.indexOf(';', p)
        return header.slice(p, stop === -1 ? end : stop)
      }
    }
    const next = header.indexOf(';', at)
    if (next === -1) return null
    at = next + 1
  }
  return null
}

/** The index after `name` when `header` has it (ASCII case-insensitive) at `at`, else -1. */
function nameAt (header: string, at: number, name: string): number {
  if (at + name.length > header.length) return -1
  for (let i = 0; i < name.length; i++) {
    let c = header.charCodeAt(at + i)
    if (c === SEMICOLON) return -1
    if (c >= 65 && c <= 90) c += 32
    if (c !== name.charCodeAt(i)) return -1
  }
  return at + name.length
}
