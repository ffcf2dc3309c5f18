// Route `headers`: every named header must be present with one of the listed values (AND across names,
// OR across values). Values compare case-insensitively; a value starting with `~*` is a case-insensitive
// regex searched anywhere in the header value (Kong 3.x, kong/router/compat.lua).
// A repeated request header is a list in Kong (ngx.req.get_headers). Node joins most repeats into one
// "a, b" string, so when the whole value does not match, each comma-separated part is tried as well.

import type { IncomingHttpHeaders } from 'node:http'
import { asciiLower } from './host-match.ts'

export interface HeaderRule {
  readonly name: string
  /** lower-cased plain values */
  readonly values: readonly string[]
  /** compiled `~*` values */
  readonly patterns: readonly RegExp[]
}

/** Builds the rule for one header name; throws the RegExp SyntaxError of an invalid `~*` value. */
export function parseHeaderRule (name: string, values: readonly string[]): HeaderRule {
  const plain: string[] = []
  const patterns: RegExp[] = []
  for (const value of values) {
    if (value.startsWith('~*')) patterns.push(new RegExp(value.slice(2), 'i'))
    else plain.push(asciiLower(value))
  }
  return { name: asciiLower(name), values: plain, patterns }
}

export function headerRulesMatch (rules: readonly HeaderRule[], headers: IncomingHttpHeaders): boolean {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]
    const value = headers[rule.name]
    if (value === undefined) return false
    if (typeof value === 'string') {
      if (!valueMatches(rule, value)) return false
    } else if (!someValueMatches(rule, value)) {
      return false
    }
  }
  return true
}

function someValueMatches (rule: HeaderRule, values: readonly string[]): boolean {
  for (let i = 0; i < values.length; i++) {
    if (valueMatches(rule, values[i])) return true
  }
  return false
}

function valueMatches (rule: HeaderRule, value: string): boolean {
  if (partMatches(rule, value, 0, value.length)) return true
  if (value.indexOf(',') === -1) return false
  let start = 0
  while (start <= value.length) {
    let end = value.indexOf(',', start)
    if (end === -1) end = value.length
    let from = start
    let to = end
    while (from < to && isSpace(value.charCodeAt(from))) from++
    while (to > from && isSpace(value.charCodeAt(to - 1))) to--
    if (partMatches(rule, value, from, to)) return true
    start = end + 1
  }
  return false
}

function partMatches (rule: HeaderRule, s: string, from: number, to: number): boolean {
  const values = rule.values
  for (let i = 0; i < values.length; i++) {
    if (equalsLower(s, from, to, values[i])) return true
  }
  const patterns = rule.patterns
  if (patterns.length === 0) return false
  const part = from === 0 && to === s.length ? s : s.slice(from, to)
  for (let i = 0; i < patterns.length; i++) {
    if (patterns[i].test(part)) return true
  }
  return false
}

/** s[from, to) equals `lower` when A-Z in s is lower-cased; compares in place, without allocating. */
function equalsLower (s: string, from: number, to: number, lower: string): boolean {
  if (to - from !== lower.length) return false
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(from + i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

function isSpace (c: number): boolean {
  return c === 32 || c === 9
}
