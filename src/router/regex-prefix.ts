// The literal text every match of an anchored regex path must start with, so regex routes can sit in the
// radix tree at that prefix and a lookup tests only the regexes whose prefix the request path has (the
// same idea as atc-router's prefilter). Conservative: when unsure, the prefix is shorter, never wrong.

const META = '\\^$.|?*+()[]{}'

/** The longest literal prefix of `pattern` (a JS RegExp source matched anchored at 0); '' if none. */
export function literalPrefix (pattern: string): string {
  if (hasTopLevelAlternation(pattern)) return ''
  let out = ''
  let i = 0
  while (i < pattern.length) {
    let ch = pattern[i]
    let width = 1
    if (ch === '\\') {
      const next = pattern[i + 1]
      // \d, \w, \b, \1, \u0041 ... are classes, assertions or references, not literals
      if (next === undefined || isAlphaNumeric(next)) break
      ch = next
      width = 2
    } else if (META.includes(ch)) {
      break
    }
    const after = pattern[i + width]
    // a quantifier makes this character optional or repeatable ('{' may be one)
    if (after === '?' || after === '*' || after === '{') break
    out += ch
    if (after === '+') break
    i += width
  }
  return out
}

/** Does an unescaped '|' appear outside every group and character class? Then no prefix is certain. */
function hasTopLevelAlternation (pattern: string): boolean {
  if (!pattern.includes('|')) return false
  let depth = 0
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === '\\') {
      i++
    } else if (ch === '[') {
      i = classEnd(pattern, i)
    } else if (ch === '(') {
      depth++
    } else if (ch === ')') {
      depth--
    } else if (ch === '|' && depth <= 0) {
      return true
    }
  }
  return false
}

/** Index of the ']' closing the class opened at `start`; JS (non-unicode) reads `[]` and `[^]` as complete. */
function classEnd (pattern: string, start: number): number {
  let i = start + 1
  if (pattern[i] === '^') i++
  if (pattern[i] === ']') return i
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++
    else if (pattern[i] === ']') return i
  }
  return pattern.length
}

function isAlphaNumeric (ch: string): boolean {
  const c = ch.charCodeAt(0)
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}
