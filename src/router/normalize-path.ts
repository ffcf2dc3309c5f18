// Request path normalisation before routing, as Kong's kong/tools/uri.lua `normalize(uri, true)` (called by
// kong/router/utils.lua strip_uri_args for every router flavor): percent-encoding upper-cased, every encoded
// character that is not reserved decoded (unreserved ones and "others" such as `%20`), dot segments removed
// (Kong's own left-to-right algorithm, which merges duplicate slashes as it goes, so `/a//../b` is `/b`).
// Reserved characters (`!*'();:@&=+$,/?%#[]`) stay encoded: decoding them would change what the path means.
// Kong decodes bytes; a JS string holds characters, so an encoded non-ASCII byte is decoded only as part of
// a valid UTF-8 sequence (a regex path with `é` matches `%C3%A9`) and otherwise stays encoded. The path
// sent upstream is this one re-escaped (escape-path.ts), as kong/runloop/handler.lua does.

const SLASH = 47
const DOT = 46
const PERCENT = 37

/**
 * The path (no query) in the form routes are matched against, or null when it is not a valid path: it
 * does not start with '/', or a '%' is not followed by two hex digits.
 * Fast path: a path that needs no change is returned as the same string, without allocating.
 */
export function normalizePath (rawPath: string): string | null {
  const len = rawPath.length
  if (len === 0 || rawPath.charCodeAt(0) !== SLASH) return null
  // One charCode scan decides whether anything must change; nearly every real request path passes it.
  for (let i = 0; i < len; i++) {
    const c = rawPath.charCodeAt(i)
    if (c === PERCENT) {
      if (i + 2 >= len) return null
      const h1 = rawPath.charCodeAt(i + 1)
      const h2 = rawPath.charCodeAt(i + 2)
      const value = hexPair(h1, h2)
      if (value < 0) return null
      if (isLowerHexLetter(h1) || isLowerHexLetter(h2) || !isReserved(value)) return slowNormalize(rawPath)
      i += 2
    } else if (c === SLASH && needsDotOrSlashWork(rawPath, i + 1, len)) {
      return slowNormalize(rawPath)
    }
  }
  return rawPath
}

/** After a '/' at i - 1: another '/', or a '.' / '..' segment? */
function needsDotOrSlashWork (s: string, i: number, len: number): boolean {
  if (i >= len) return false
  const c1 = s.charCodeAt(i)
  if (c1 === SLASH) return true
  if (c1 !== DOT) return false
  if (i + 1 >= len) return true
  const c2 = s.charCodeAt(i + 1)
  if (c2 === SLASH) return true
  if (c2 !== DOT) return false
  return i + 2 >= len || s.charCodeAt(i + 2) === SLASH
}

function slowNormalize (rawPath: string): string | null {
  const decoded = rawPath.indexOf('%') === -1 ? rawPath : decodePercents(rawPath)
  if (decoded === null) return null
  return removeDotSegments(decoded)
}

/** Decodes %XX of every non-reserved character, upper-cases the hex of the others; null on a bad escape. */
function decodePercents (s: string): string | null {
  let out = ''
  let last = 0
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', last)) {
    if (i + 2 >= s.length) return null
    const value = hexPair(s.charCodeAt(i + 1), s.charCodeAt(i + 2))
    if (value < 0) return null
    out += s.slice(last, i)
    last = i + 3
    if (value >= 0x80) {
      const end = utf8End(s, i, value)
      if (end > 0) {
        out += decodeUtf8(s, i, end)
        last = end
        continue
      }
    }
    out += isReserved(value) || value >= 0x80 ? s.slice(i, i + 3).toUpperCase() : String.fromCharCode(value)
  }
  return out + s.slice(last)
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Where the %XX run of one valid UTF-8 character starting at `i` (lead byte `lead`) ends, or 0 when the
 * bytes do not form one (overlong forms and surrogates included: the decoder is fatal).
 */
function utf8End (s: string, i: number, lead: number): number {
  const count = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0
  if (count === 0 || i + count * 3 > s.length) return 0
  for (let k = 1; k < count; k++) {
    const at = i + k * 3
    const byte = s.charCodeAt(at) === PERCENT ? hexPair(s.charCodeAt(at + 1), s.charCodeAt(at + 2)) : -1
    if (byte < 0x80 || byte > 0xBF) return 0
  }
  try {
    decodeUtf8(s, i, i + count * 3)
  } catch {
    return 0
  }
  return i + count * 3
}

function decodeUtf8 (s: string, from: number, to: number): string {
  const bytes = new Uint8Array((to - from) / 3)
  for (let k = 0; k < bytes.length; k++) bytes[k] = hexPair(s.charCodeAt(from + k * 3 + 1), s.charCodeAt(from + k * 3 + 2))
  return UTF8.decode(bytes)
}

/**
 * Kong's loop over the remaining input: `/./` and `/../` collapse (the latter dropping the last output
 * segment), a trailing `/.` or `/..` becomes `/`, `//` loses one slash; anything else is copied up to the
 * next '/'. Output segments keep their leading slash.
 */
function removeDotSegments (s: string): string {
  const out: string[] = []
  const n = s.length
  let p = 0
  while (p < n) {
    const rest = n - p
    const c1 = s.charCodeAt(p)
    const c2 = rest > 1 ? s.charCodeAt(p + 1) : -1
    const c3 = rest > 2 ? s.charCodeAt(p + 2) : -1
    const c4 = rest > 3 ? s.charCodeAt(p + 3) : -1
    if (c1 === SLASH && c2 === DOT && rest === 2) { // "/."
      out.push('/')
      break
    }
    if (c1 === SLASH && c2 === DOT && c3 === DOT && rest === 3) { // "/.."
      out.pop()
      out.push('/')
      break
    }
    if (c1 === DOT && (rest === 1 || (rest === 2 && c2 === DOT))) break // "." or ".."
    if (c1 === DOT && c2 === DOT && c3 === SLASH) { // "../"
      p += 3
    } else if (c1 === DOT && c2 === SLASH) { // "./"
      p += 2
    } else if (c1 === SLASH && c2 === DOT && c3 === SLASH) { // "/./"
      p += 2
    } else if (c1 === SLASH && c2 === DOT && c3 === DOT && c4 === SLASH) { // "/../"
      p += 3
      out.pop()
    } else if (c1 === SLASH && c2 === SLASH) { // "//"
      p += 1
    } else {
      const next = s.indexOf('/', p + 1)
      const end = next === -1 ? n : next
      out.push(s.slice(p, end))
      p = end
    }
  }
  return out.length === 0 ? '/' : out.join('')
}

function hexValue (c: number): number {
  if (c >= 48 && c <= 57) return c - 48 // 0-9
  if (c >= 65 && c <= 70) return c - 55 // A-F
  if (c >= 97 && c <= 102) return c - 87 // a-f
  return -1
}

function hexPair (h1: number, h2: number): number {
  const hi = hexValue(h1)
  const lo = hexValue(h2)
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo
}

function isLowerHexLetter (c: number): boolean {
  return c >= 97 && c <= 102
}

/** Kong's RESERVED_CHARS (kong/tools/uri.lua): ! * ' ( ) ; : @ & = + $ , / ? % # [ ] */
function isReserved (c: number): boolean {
  return c < 128 && RESERVED[c] === 1
}

const RESERVED = new Uint8Array(128)
for (const ch of "!*'();:@&=+$,/?%#[]") RESERVED[ch.charCodeAt(0)] = 1
