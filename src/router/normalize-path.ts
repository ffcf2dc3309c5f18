// Request path normalisation before routing, as Kong's kong/tools/uri.lua `normalize(uri, true)`:
// percent-encoding upper-cased, encoded unreserved characters decoded, dot segments removed (Kong's own
// left-to-right algorithm, which merges duplicate slashes as it goes, so `/a//../b` is `/b`).
// One deliberate difference: Kong also decodes "other" characters (`%20` → space) and re-escapes them when
// forwarding; we keep them encoded, so the normalised path is also the one we can forward as it is.

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
      if (isLowerHexLetter(h1) || isLowerHexLetter(h2) || isUnreserved(value)) return slowNormalize(rawPath)
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

/** Decodes %XX of unreserved characters, upper-cases the hex of every other one; null on a bad escape. */
function decodePercents (s: string): string | null {
  let out = ''
  let last = 0
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', last)) {
    if (i + 2 >= s.length) return null
    const value = hexPair(s.charCodeAt(i + 1), s.charCodeAt(i + 2))
    if (value < 0) return null
    out += s.slice(last, i)
    out += isUnreserved(value) ? String.fromCharCode(value) : s.slice(i, i + 3).toUpperCase()
    last = i + 3
  }
  return out + s.slice(last)
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

/** RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~" */
function isUnreserved (c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ||
    c === 45 || c === 46 || c === 95 || c === 126
}
