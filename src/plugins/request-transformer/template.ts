// Kong's request-transformer renders every value as a Penlight template (kong/plugins/request-transformer/
// access.lua param_value: pl.template.compile with escape "\xff", rendered in a sandbox whose lazy
// `headers`, `query_params`, `uri_captures` and `shared` come from __meta_environment in _M.execute).
// `$(expr)` is any Lua expression, rendered as tostring(expr or ''). Tollgate evaluates no code: this
// parser, run once at config load, accepts a safe subset and refuses every other expression with a config
// error (Kong would run it, or fail it with a 500 per request):
//   source.name  source['name']  source["name"]  source[N]      one lookup, source one of the four above
//   'text'  "text"                                               a string literal
//   a or b or ...                                                the first operand that is not nil
// Rendering (render, per request) never throws: a missing value renders as '' (Penlight's `or ''`).
// Differences: a repeated header renders as its values joined with ", " and a repeated query argument as
// its first value (Kong: Lua's "table: 0x..."); `?flag` without a value renders "true", as in Kong.

/** where a lookup reads from, as bits so a compiled value says which sources a request must prepare */
export const SOURCE_HEADERS = 1
export const SOURCE_QUERY = 2
export const SOURCE_CAPTURES = 4
export const SOURCE_SHARED = 8

const SOURCES: Readonly<Record<string, number>> = {
  headers: SOURCE_HEADERS,
  query_params: SOURCE_QUERY,
  uri_captures: SOURCE_CAPTURES,
  shared: SOURCE_SHARED
}

export interface Lookup {
  readonly source: number
  /** headers: lower-cased with '_' as '-' (ngx.req.get_headers' metatable); captures: a number for [N] */
  readonly key: string | number
}

/** one `$(...)`: its operands, tried in order; a string is a literal */
export type Expression = ReadonlyArray<Lookup | string>

export interface Template {
  /** literal text and expressions in order */
  readonly parts: ReadonlyArray<string | Expression>
  /** SOURCE_* bits the expressions read */
  readonly sources: number
}

export interface UriCaptures {
  /** [0] the whole match, then the numbered groups (undefined when a group did not take part) */
  readonly unnamed: ReadonlyArray<string | undefined>
  readonly named: Readonly<Record<string, string | undefined>>
}

/** What a template reads, prepared once per request and only for the sources its templates use. */
export interface TemplateEnv {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly query: Readonly<Record<string, string | true | Array<string | true>>> | null
  readonly captures: UriCaptures | null
  readonly shared: Readonly<Record<string, unknown>> | null
}

/** The parsed template, or the reason it is refused. A value without `$(` is a single literal. */
export function parseTemplate (text: string): Template | string {
  const parts: Array<string | Expression> = []
  let sources = 0
  let literal = ''
  let i = 0
  while (i < text.length) {
    const start = text.indexOf('$(', i)
    if (start < 0) break
    // Penlight finds `$%b()`: balanced parentheses, quotes not considered; unbalanced text stays literal
    const end = balancedEnd(text, start + 1)
    if (end < 0) break
    literal += text.slice(i, start)
    const expression = parseExpression(text.slice(start + 2, end))
    if (typeof expression === 'string') return expression
    if (literal !== '') parts.push(literal)
    literal = ''
    parts.push(expression)
    for (const operand of expression) if (typeof operand !== 'string') sources |= operand.source
    i = end + 1
  }
  literal += text.slice(i)
  if (literal !== '') parts.push(literal)
  return { parts, sources }
}

/** The index of the ')' closing the '(' at `open`, or -1. */
function balancedEnd (text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 40 /* ( */) depth++
    else if (c === 41 /* ) */ && --depth === 0) return i
  }
  return -1
}

function unsupported (source: string): string {
  return `template expression '${source}' is not supported by Tollgate yet (supported: headers.NAME, ` +
    "query_params.NAME, uri_captures.NAME, uri_captures[N], shared.NAME, 'text', and 'or' between them)"
}

// A small recursive-descent parser over one expression; every failure is the same "not supported".
class Parser {
  readonly text: string
  pos: number

  constructor (text: string) {
    this.text = text
    this.pos = 0
  }

  skipSpace (): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++
  }

  word (): string | null {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))
    if (match === null) return null
    this.pos += match[0].length
    return match[0]
  }

  /** a Lua short string: '...' or "...", with the common backslash escapes */
  string (): string | null {
    const quote = this.text[this.pos]
    if (quote !== '"' && quote !== "'") return null
    let out = ''
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const ch = this.text[i]
      if (ch === quote) {
        this.pos = i + 1
        return out
      }
      if (ch === '\n') return null
      if (ch !== '\\') {
        out += ch
        continue
      }
      const next = this.text[++i]
      const escaped = next === 'n' ? '\n' : next === 't' ? '\t' : next === '\\' || next === '"' || next === "'" ? next : null
      if (escaped === null) return null
      out += escaped
    }
    return null
  }

  operand (): Lookup | string | null {
    this.skipSpace()
    const literal = this.string()
    if (literal !== null) return literal
    const name = this.word()
    if (name === null || !Object.hasOwn(SOURCES, name)) return null
    const source = SOURCES[name]
    this.skipSpace()
    let key: string | number | null = null
    if (this.text[this.pos] === '.') {
      this.pos++
      this.skipSpace()
      key = this.word()
    } else if (this.text[this.pos] === '[') {
      this.pos++
      this.skipSpace()
      key = this.string() ?? this.integer()
      this.skipSpace()
      if (this.text[this.pos++] !== ']') return null
    }
    if (key === null) return null
    if (typeof key === 'number' && source !== SOURCE_CAPTURES) return null
    if (source === SOURCE_HEADERS) key = (key as string).toLowerCase().replaceAll('_', '-')
    return { source, key }
  }

  integer (): number | null {
    const match = /^\d{1,6}/.exec(this.text.slice(this.pos))
    if (match === null) return null
    this.pos += match[0].length
    return Number(match[0])
  }
}

function parseExpression (source: string): Expression | string {
  const parser = new Parser(source)
  const operands: Array<Lookup | string> = []
  for (;;) {
    const operand = parser.operand()
    if (operand === null) return unsupported(source)
    operands.push(operand)
    parser.skipSpace()
    if (parser.pos === source.length) return operands
    if (parser.word() !== 'or') return unsupported(source)
    // `or` must be followed by a separator, not be a prefix of a name ("orx")
    if (parser.pos < source.length && /[A-Za-z0-9_]/.test(source[parser.pos])) return unsupported(source)
  }
}

/** The rendered value. Per request; allocates only the result string. */
export function render (template: Template, env: TemplateEnv): string {
  const parts = template.parts
  let out = ''
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    out += typeof part === 'string' ? part : evaluate(part, env)
  }
  return out
}

function evaluate (expression: Expression, env: TemplateEnv): string {
  for (let i = 0; i < expression.length; i++) {
    const operand = expression[i]
    if (typeof operand === 'string') return operand
    const value = lookup(operand, env)
    if (value !== undefined) return value
  }
  return ''
}

function lookup (operand: Lookup, env: TemplateEnv): string | undefined {
  const key = operand.key
  switch (operand.source) {
    case SOURCE_HEADERS: {
      // own properties only: a header named "constructor" must not find Object.prototype's
      if (!Object.hasOwn(env.headers, key)) return undefined
      const value = env.headers[key as string]
      return Array.isArray(value) ? value.join(', ') : value
    }
    case SOURCE_QUERY: {
      if (env.query === null || !Object.hasOwn(env.query, key)) return undefined
      const value = env.query[key as string]
      const first = Array.isArray(value) ? value[0] : value
      return first === true ? 'true' : first
    }
    case SOURCE_CAPTURES: {
      if (env.captures === null) return undefined
      if (typeof key === 'number') return env.captures.unnamed[key]
      return Object.hasOwn(env.captures.named, key) ? env.captures.named[key] : undefined
    }
    default: {
      if (env.shared === null || !Object.hasOwn(env.shared, key)) return undefined
      return luaToString(env.shared[key as string])
    }
  }
}

/** Lua's tostring for what kong.ctx.shared may hold; nil and false are "no value" for `or` */
function luaToString (value: unknown): string | undefined {
  if (value === undefined || value === null || value === false) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}
