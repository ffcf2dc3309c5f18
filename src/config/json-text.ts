// JSON.parse, with the line and column of the first error. V8's messages give a position only for some
// errors and quote the surrounding text (which may hold a secret), so on failure a small scanner walks
// the text to the first offending character and says what was expected there.

import { MAX_DEPTH, tooDeepAt } from './json-depth.ts'

export type JsonResult =
  | { readonly ok: true, readonly value: unknown }
  | { readonly ok: false, readonly line: number, readonly column: number, readonly message: string }

class Stop {
  readonly offset: number
  readonly message: string
  constructor (offset: number, message: string) {
    this.offset = offset
    this.message = message
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPE = /^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/

/** Finds the first syntax error in text that JSON.parse rejected. Recursive descent, one concern: where. */
class Scanner {
  readonly #text: string
  #i = 0
  /** containers open at #i: past MAX_DEPTH the scan stops before its recursion could overflow the stack */
  #depth = 0

  constructor (text: string) {
    this.#text = text
  }

  run (): Stop | null {
    try {
      this.#value()
      this.#space()
      if (this.#i < this.#text.length) this.#fail('unexpected data after the JSON value')
      return null
    } catch (stop) {
      if (stop instanceof Stop) return stop
      throw stop
    }
  }

  #fail (message: string): never {
    throw new Stop(this.#i, this.#i >= this.#text.length ? 'unexpected end of input' : message)
  }

  #space (): void {
    while (' \t\n\r'.includes(this.#text[this.#i] ?? 'x')) this.#i++
  }

  #value (): void {
    this.#space()
    const char = this.#text[this.#i]
    if (char === '{') return this.#object()
    if (char === '[') return this.#array()
    if (char === '"') return this.#string()
    for (const word of ['true', 'false', 'null']) {
      if (this.#text.startsWith(word, this.#i)) {
        this.#i += word.length
        return
      }
    }
    NUMBER.lastIndex = this.#i
    if (NUMBER.test(this.#text)) {
      this.#i = NUMBER.lastIndex
      return
    }
    this.#fail(`unexpected character ${JSON.stringify(char)}: expected a value`)
  }

  #enter (): void {
    if (++this.#depth > MAX_DEPTH) this.#fail(`nested too deeply (more than ${MAX_DEPTH} levels)`)
    this.#i++
  }

  #object (): void {
    this.#enter()
    this.#space()
    if (this.#text[this.#i] === '}') {
      this.#i++
      this.#depth--
      return
    }
    for (;;) {
      this.#space()
      if (this.#text[this.#i] !== '"') this.#fail('expected a property name in double quotes')
      this.#string()
      this.#space()
      if (this.#text[this.#i] !== ':') this.#fail("expected ':' after the property name")
      this.#i++
      this.#value()
      this.#space()
      const next = this.#text[this.#i]
      this.#i++
      if (next === '}') {
        this.#depth--
        return
      }
      if (next !== ',') this.#back("expected ',' or '}' after the property value")
    }
  }

  #array (): void {
    this.#enter()
    this.#space()
    if (this.#text[this.#i] === ']') {
      this.#i++
      this.#depth--
      return
    }
    for (;;) {
      this.#value()
      this.#space()
      const next = this.#text[this.#i]
      this.#i++
      if (next === ']') {
        this.#depth--
        return
      }
      if (next !== ',') this.#back("expected ',' or ']' after the array element")
    }
  }

  #back (message: string): never {
    this.#i--
    this.#fail(message)
  }

  #string (): void {
    this.#i++
    for (;;) {
      const char = this.#text[this.#i]
      if (char === undefined) this.#fail('unterminated string')
      if (char === '"') break
      if (char < ' ') this.#fail('bad control character in string literal')
      if (char === '\\') {
        const escape = ESCAPE.exec(this.#text.slice(this.#i + 1, this.#i + 6))
        if (escape === null) this.#fail('bad escape sequence in string literal')
        this.#i += escape[0].length
      }
      this.#i++
    }
    this.#i++
  }
}

function lineAndColumn (text: string, offset: number): { line: number, column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}

export function parseJsonText (text: string): JsonResult {
  // a UTF-8 byte order mark is not JSON, but editors write one
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    const stop = new Scanner(body).run() ?? new Stop(body.length, 'invalid JSON')
    return { ok: false, ...lineAndColumn(body, stop.offset), message: stop.message }
  }
  // valid JSON nested past MAX_DEPTH is refused as lua-cjson refuses it, at the position the scanner stops
  if (tooDeepAt(value) === null) return { ok: true, value }
  const stop = new Scanner(body).run() ?? new Stop(0, `nested too deeply (more than ${MAX_DEPTH} levels)`)
  return { ok: false, ...lineAndColumn(body, stop.offset), message: stop.message }
}
