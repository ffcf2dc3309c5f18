// What basic-auth reads of an Authorization or Proxy-Authorization header, on attacker input, as Kong's
// kong/plugins/basic-auth/access.lua retrieve_credentials does it, without a regex (a charCode scan):
// 1. ngx.re.gmatch(header, [[\s*[Bb]asic\s*(.+)]]): unanchored, so the payload is what follows the first
//    "Basic" or "basic" anywhere in the value, after any whitespace, up to a line feed ('.' stops there);
//    nothing after it is no credential ("BASIC" is not matched either);
// 2. ngx.decode_base64(payload): nginx's ngx_decode_base64 reads up to the first '=' (what follows is
//    ignored), fails on any character outside A-Z a-z 0-9 + / before it and on a length of 4n+1 (a
//    short last group is decoded, unpadded);
// 3. ngx.re.match(decoded, "([^:]+):(.*)"): unanchored, so leading ':' are skipped, the username runs to
//    the next ':' (one is required) and the password from there to a line feed (it may be empty).
// The password stays bytes (Kong hashes the bytes sent); a username that is not UTF-8 cannot be a
// configured one, so it is no credential.

import { isUtf8 } from 'node:buffer'

export interface BasicCredentials {
  readonly username: string
  /** the bytes sent, hashed as they are */
  readonly password: Buffer
}

const LF = 10
const COLON = 58
const EQUALS = 61

/** PCRE's \s: space, \t, \n, \v, \f, \r */
function isSpace (code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13)
}

/** Step 1: the text `(.+)` captures, or null when the pattern does not match. */
export function basicPayload (header: string): string | null {
  let at = -1
  for (let i = header.indexOf('asic', 1); i > 0; i = header.indexOf('asic', i + 1)) {
    const b = header.charCodeAt(i - 1)
    if (b === 66 /* B */ || b === 98 /* b */) {
      at = i + 4
      break
    }
  }
  if (at < 0 || at === header.length) return null
  let start = at
  while (start < header.length && isSpace(header.charCodeAt(start))) start++
  // only whitespace follows: \s* gives back its last character to (.+)
  if (start === header.length) start--
  // '.' does not match a line feed; the whitespace skip above cannot stop on one
  const lf = header.indexOf('\n', start)
  return header.slice(start, lf < 0 ? header.length : lf)
}

function isBase64Char (code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) ||
    code === 43 /* + */ || code === 47 /* / */
}

/** Step 2: nginx's ngx_decode_base64; null where it fails. */
export function decodeBase64 (text: string): Buffer | null {
  let length = 0
  while (length < text.length) {
    const code = text.charCodeAt(length)
    if (code === EQUALS) break
    if (!isBase64Char(code)) return null
    length++
  }
  if (length % 4 === 1) return null
  return Buffer.from(length === text.length ? text : text.slice(0, length), 'base64')
}

/** Step 3: the username and password of decoded bytes; null when there are none. */
export function splitCredentials (decoded: Buffer): BasicCredentials | null {
  let start = 0
  while (start < decoded.length && decoded[start] === COLON) start++
  const colon = decoded.indexOf(COLON, start)
  if (start === decoded.length || colon < 0) return null
  const name = decoded.subarray(start, colon)
  if (!isUtf8(name)) return null
  const lf = decoded.indexOf(LF, colon + 1)
  return { username: name.toString('utf8'), password: decoded.subarray(colon + 1, lf < 0 ? decoded.length : lf) }
}

/** retrieve_credentials' username and password of one header value; null when it carries none. */
export function parseBasic (header: string): BasicCredentials | null {
  const payload = basicPayload(header)
  if (payload === null) return null
  const decoded = decodeBase64(payload)
  return decoded === null ? null : splitCredentials(decoded)
}
