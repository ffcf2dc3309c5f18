// Kong's route regexes (`~` paths and `~*` header values) as JavaScript RegExps.
// Kong 3.x traditional_compatible checks a regex path with PCRE (kong/db/schema/typedefs.lua
// validate_path_with_regexes) and then compiles and matches it with atc-router, which uses Rust's `regex`
// crate (kong/router/transform.lua get_expression turns `(?<` into `(?P<`; kong/db/schema/entities/routes.lua
// validate_route rejects what atc-router cannot compile). So a pattern Kong accepts is one both engines
// accept, and it means what Rust's regex says. This scanner walks the pattern once, aware of escapes, groups
// and character classes, rewrites what JavaScript spells differently and refuses, naming it, what neither
// JavaScript nor Kong's router can run: possessive quantifiers, atomic groups, lookaround, backreferences,
// recursion, conditionals, \G, \K, \Z, Unicode property classes and the like.
// What stays different: Rust's \d, \w, \s and \b are Unicode-aware where JavaScript's are ASCII, which only
// matters for non-ASCII text (paths are percent-encoded, header values are Latin-1 as Node reads them).

/** A pattern translated to JavaScript syntax, or why it cannot be. */
export type TranslatedRegex = { readonly source: string, readonly error: null } | { readonly source: null, readonly error: string }

/** One open group: the inline-flag groups opened inside it (closed at its end) and whether `m` is in effect. */
interface Frame {
  readonly modifiers: string[]
  multiline: boolean
}

class Refusal {
  readonly message: string
  constructor (message: string) {
    this.message = message
  }
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f'
}

// escapes that mean the same in Rust's regex and in a JavaScript RegExp without the u flag
const SAME_ESCAPES = 'dDwWsSnrtfv'
const SAME_ESCAPES_OUTSIDE_CLASS = 'bB'
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  G: '\\G (start-of-match anchor)',
  K: '\\K (match reset)',
  Z: '\\Z (use \\z or $)',
  R: '\\R (newline sequence)',
  X: '\\X (extended grapheme cluster)',
  C: '\\C (single code unit)',
  N: '\\N (non-newline)',
  h: '\\h (horizontal space)',
  H: '\\H (non-horizontal space)',
  V: '\\V (non-vertical space)',
  e: '\\e (escape character)',
  c: '\\c (control character)',
  Q: '\\Q...\\E (quoting)',
  E: '\\E (end of quoting)',
  g: '\\g (backreference or subroutine call)',
  k: '\\k (named backreference)',
  o: '\\o (octal escape)',
  p: '\\p (Unicode property class)',
  P: '\\P (Unicode property class)',
  '<': '\\< (word boundary)',
  '>': '\\> (word boundary)'
}

/** Translates a Kong (PCRE / Rust regex) pattern into JavaScript RegExp syntax (no flags needed). */
export function translateRegex (pattern: string): TranslatedRegex {
  try {
    return { source: new Scanner(pattern).run(), error: null }
  } catch (err) {
    if (err instanceof Refusal) return { source: null, error: err.message }
    throw err
  }
}

/**
 * A pattern compiled for the router: translated, then `prefix` + source with `flags`. Returns the reason
 * as a string when Kong would refuse the pattern or it does not compile; never a JavaScript message.
 */
export function compileRouteRegex (pattern: string, prefix: string, flags: string): RegExp | string {
  const translated = translateRegex(pattern)
  if (translated.error !== null) return translated.error
  try {
    return new RegExp(prefix + translated.source, flags)
  } catch (err) {
    return syntaxReason(err as Error)
  }
}

/** "Invalid regular expression: /(a/: Unterminated group" → "unterminated group" */
function syntaxReason (err: Error): string {
  const at = err.message.lastIndexOf(': ')
  const reason = at === -1 ? 'not a valid regular expression' : err.message.slice(at + 2)
  return reason.charAt(0).toLowerCase() + reason.slice(1)
}

class Scanner {
  readonly #p: string
  #i: number
  readonly #out: string[]
  readonly #frames: Frame[]

  constructor (pattern: string) {
    this.#p = pattern
    this.#i = 0
    this.#out = []
    this.#frames = [{ modifiers: [], multiline: false }]
  }

  run (): string {
    const p = this.#p
    while (this.#i < p.length) {
      const ch = p[this.#i]
      if (ch === '\\') this.#escape()
      else if (ch === '[') this.#charClass()
      else if (ch === '(') this.#openGroup()
      else if (ch === ')') this.#closeGroup()
      else if (ch === '|') this.#alternation()
      else if (ch === '*' || ch === '+' || ch === '?') this.#quantifier(1)
      else if (ch === '{') this.#brace()
      else this.#emit(ch, 1)
    }
    this.#closeModifiers(this.#frames[0])
    return this.#out.join('')
  }

  #emit (text: string, consumed: number): void {
    this.#out.push(text)
    this.#i += consumed
  }

  #refuse (what: string, at: number = this.#i): never {
    throw new Refusal(`${what} at offset ${at} is not supported by Kong's router`)
  }

  #top (): Frame {
    return this.#frames[this.#frames.length - 1]
  }

  #escape (): void {
    const p = this.#p
    const next = p[this.#i + 1]
    if (next === undefined) throw new Refusal('the pattern ends with a lone backslash')
    if (next === 'A') return this.#emit(this.#top().multiline ? '(?<![\\s\\S])' : '^', 2)
    if (next === 'z') return this.#emit(this.#top().multiline ? '(?![\\s\\S])' : '$', 2)
    if (SAME_ESCAPES_OUTSIDE_CLASS.includes(next)) return this.#emit('\\' + next, 2)
    this.#commonEscape(next)
  }

  /** An escape that reads the same inside and outside a class. */
  #commonEscape (next: string): void {
    if (SAME_ESCAPES.includes(next)) return this.#emit('\\' + next, 2)
    if (next === 'a') return this.#emit('\\x07', 2)
    if (next === 'x' || next === 'u') return this.#emit(this.#hexEscape(next), 0)
    if (next >= '0' && next <= '9') this.#refuse(next === '0' ? `octal escape \\${next}` : `backreference \\${next}`)
    const named = NAMED_ESCAPES[next]
    if (named !== undefined) this.#refuse(named)
    if (isAlphaNumeric(next)) this.#refuse(`unknown escape \\${next}`)
    // an escaped punctuation character is that character in every engine
    this.#emit('\\' + next, 2)
  }

  /** \xHH, \x{H...}, \uHHHH, \u{H...} → \xHH or \uHHHH; advances past the escape. */
  #hexEscape (kind: string): string {
    const p = this.#p
    const start = this.#i
    let digits: string
    if (p[start + 2] === '{') {
      const end = p.indexOf('}', start + 3)
      digits = end === -1 ? '' : p.slice(start + 3, end)
      if (!/^[0-9A-Fa-f]{1,8}$/.test(digits)) this.#refuse(`malformed \\${kind}{...} escape`, start)
      this.#i = end + 1
    } else {
      const width = kind === 'x' ? 2 : 4
      digits = p.slice(start + 2, start + 2 + width)
      if (!new RegExp(`^[0-9A-Fa-f]{${width}}$`).test(digits)) this.#refuse(`malformed \\${kind} escape`, start)
      this.#i = start + 2 + width
    }
    const code = parseInt(digits, 16)
    if (code > 0xFFFF) this.#refuse(`code point \\${kind}{${digits}} beyond U+FFFF`, start)
    return '\\u' + code.toString(16).padStart(4, '0')
  }

  #charClass (): void {
    const p = this.#p
    const start = this.#i
    this.#emit('[', 1)
    if (p[this.#i] === '^') this.#emit('^', 1)
    // PCRE and Rust read a `]` right after `[` or `[^` as a literal; JavaScript would close an empty class
    if (p[this.#i] === ']') this.#emit('\\]', 1)
    while (this.#i < p.length) {
      const ch = p[this.#i]
      if (ch === ']') return this.#emit(']', 1)
      if (ch === '\\') {
        const next = p[this.#i + 1]
        if (next === undefined) break
        if (next === 'b' || next === 'B' || next === 'A' || next === 'z') this.#refuse(`\\${next} inside a character class`)
        this.#commonEscape(next)
      } else if (ch === '[') {
        this.#posixClass()
      } else if ((ch === '&' || ch === '-' || ch === '~') && p[this.#i + 1] === ch) {
        this.#refuse(`character class set operation '${ch}${ch}'`)
      } else {
        this.#emit(ch, 1)
      }
    }
    throw new Refusal(`unterminated character class opened at offset ${start}`)
  }

  /** `[:alpha:]` inside a class (ASCII, as Rust's); any other `[` opens a nested class in Rust. */
  #posixClass (): void {
    const p = this.#p
    const match = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.#i, this.#i + 12))
    if (match === null) this.#refuse("nested character class '[' (escape a literal [ as \\[)")
    const ranges = POSIX_CLASSES[match[2]]
    if (ranges === undefined) this.#refuse(`unknown POSIX class [:${match[2]}:]`)
    if (match[1] === '^') this.#refuse(`negated POSIX class [:^${match[2]}:]`)
    this.#emit(ranges, match[0].length)
  }

  #openGroup (): void {
    const p = this.#p
    const at = this.#i
    if (p[at + 1] !== '?') {
      this.#frames.push({ modifiers: [], multiline: this.#top().multiline })
      return this.#emit('(', 1)
    }
    const rest = p.slice(at + 2, at + 40)
    const named = /^P?<([^>]*)>/.exec(rest)
    if (named !== null && !rest.startsWith('<=') && !rest.startsWith('<!')) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(named[1])) this.#refuse(`group name '${named[1]}'`)
      this.#frames.push({ modifiers: [], multiline: this.#top().multiline })
      return this.#emit(`(?<${named[1]}>`, 2 + named[0].length)
    }
    if (rest.startsWith(':')) {
      this.#frames.push({ modifiers: [], multiline: this.#top().multiline })
      return this.#emit('(?:', 3)
    }
    // `(?R)` is recursion to a PCRE user (Rust would read a CRLF-mode flag)
    if (rest.startsWith('R)')) this.#refuse(groupConstruct(rest), at)
    const flags = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest)
    if (flags !== null && (flags[1] !== '' || flags[2] !== undefined)) return this.#flagGroup(flags, at)
    this.#refuse(groupConstruct(rest), at)
  }

  /** `(?i)`, `(?s-m:...)`: JavaScript has the `(?flags:...)` form; a bare one runs to the enclosing group's end. */
  #flagGroup (flags: RegExpExecArray, at: number): void {
    const on = flags[1]
    const off = flags[2] ?? ''
    for (const f of on + off) {
      if (f !== 'i' && f !== 'm' && f !== 's') this.#refuse(`inline flag '${f}'`, at)
    }
    const modifier = `(?${on}${off === '' ? '' : '-' + off}:`
    const top = this.#top()
    const multiline = on.includes('m') ? true : off.includes('m') ? false : top.multiline
    if (flags[3] === ':') {
      this.#frames.push({ modifiers: [], multiline })
    } else {
      top.modifiers.push(modifier)
      top.multiline = multiline
    }
    this.#emit(modifier, 2 + flags[0].length)
  }

  #closeGroup (): void {
    // an unmatched ')' is left for the RegExp compiler to report
    if (this.#frames.length > 1) this.#closeModifiers(this.#frames.pop()!)
    this.#emit(')', 1)
  }

  #closeModifiers (frame: Frame): void {
    for (let k = 0; k < frame.modifiers.length; k++) this.#out.push(')')
  }

  /** A bare `(?i)` covers every later alternative of its group: close it before `|`, reopen it after. */
  #alternation (): void {
    const top = this.#top()
    this.#closeModifiers(top)
    this.#emit('|', 1)
    for (const modifier of top.modifiers) this.#out.push(modifier)
  }

  /** `*`, `+`, `?` or a `{n,m}` of `width` characters, then an optional lazy `?`; a possessive `+` is refused. */
  #quantifier (width: number): void {
    const p = this.#p
    this.#emit(p.slice(this.#i, this.#i + width), width)
    if (p[this.#i] === '+') this.#refuse(`possessive quantifier '${p.slice(this.#i - width, this.#i + 1)}'`, this.#i - width)
    if (p[this.#i] === '?') this.#emit('?', 1)
  }

  /** `{n}`, `{n,}`, `{n,m}` repeat; Rust refuses any other `{`, JavaScript would read it as a literal. */
  #brace (): void {
    const match = /^\{\d+(?:,\d*)?\}/.exec(this.#p.slice(this.#i, this.#i + 24))
    if (match === null) this.#refuse("literal '{' (escape it as \\{)")
    this.#quantifier(match[0].length)
  }
}

/** Names the `(?...` construct that is not a group JavaScript and Kong's router share. */
function groupConstruct (rest: string): string {
  if (rest.startsWith('=') || rest.startsWith('!')) return `lookahead '(?${rest[0]}'`
  if (rest.startsWith('<=') || rest.startsWith('<!')) return `lookbehind '(?${rest.slice(0, 2)}'`
  if (rest.startsWith('>')) return "atomic group '(?>'"
  if (rest.startsWith('|')) return "branch reset group '(?|'"
  if (rest.startsWith('#')) return "comment group '(?#'"
  if (rest.startsWith('(')) return "conditional group '(?('"
  if (rest.startsWith('P=')) return "named backreference '(?P='"
  if (rest.startsWith('P>') || rest.startsWith('&')) return `subroutine call '(?${rest.startsWith('&') ? '&' : 'P>'}'`
  if (/^(?:R|[+-]?\d)/.test(rest)) return `recursion '(?${rest.slice(0, rest.indexOf(')') + 1 || 2)}'`
  if (rest.startsWith('C')) return "callout '(?C'"
  if (rest.startsWith("'")) return "quoted group name '(?''"
  return `group syntax '(?${rest.slice(0, 1)}'`
}

function isAlphaNumeric (ch: string): boolean {
  const c = ch.charCodeAt(0)
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}
