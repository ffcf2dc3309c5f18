// One list of error codes (src/core/errors.ts ERROR_CODES): every code a Tollgate error class is built with
// in src is in it, every entry is still used, and errorCode()/hasCode() read `code` as the casts they
// replaced did. tsc already rejects a literal code missing from the union; this test also catches a code
// hidden behind a constant typed `string`.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import {
  ClientError, ERROR_CODES, errorCode, hasCode, IdpError, isErrorCode, relayedCode, TollgateError, UpstreamError,
} from '../../../src/core/errors.ts'

const SRC = join(import.meta.dirname, '../../../src')

function sources (dir: string): Array<{ file: string, text: string }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }))
}

const FILES = sources(SRC)
const CONSTANTS = new Map<string, string>()
for (const { text } of FILES) {
  for (const match of text.matchAll(/\bconst ([A-Z][A-Z0-9_]+) = '([A-Z][A-Z0-9_]+)'/g)) CONSTANTS.set(match[1], match[2])
}

/** Skips the first argument (a string or template literal, or an expression up to a comma), returns the second. */
function secondArgument (text: string, open: number): string {
  let i = open
  const quote = text[i]
  if (quote === "'" || quote === '`' || quote === '"') {
    i = text.indexOf(quote, i + 1)
    while (text[i - 1] === '\\') i = text.indexOf(quote, i + 1)
  }
  let depth = 0
  for (; i < text.length; i++) {
    const c = text[i]
    if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) break
  }
  const rest = text.slice(i + 1)
  return rest.slice(0, rest.search(/[,)]/)).trim()
}

const BUILT = /\b(?:new (?:TollgateError|UpstreamError|IdpError|ClientError)|tokenEndpointError)\(\s*/g

/** Every SCREAMING_SNAKE code (a literal, or a constant resolved to its value) given to an error constructor. */
function codesBuilt (): Array<{ file: string, code: string }> {
  const out: Array<{ file: string, code: string }> = []
  for (const { file, text } of FILES) {
    for (const match of text.matchAll(BUILT)) {
      const argument = secondArgument(text, match.index + match[0].length)
      const literal = /^'([A-Z][A-Z0-9_]+)'$/.exec(argument)
      if (literal !== null) out.push({ file, code: literal[1] })
      else if (/^[A-Z][A-Z0-9_]+$/.test(argument)) out.push({ file, code: CONSTANTS.get(argument) ?? `unresolved ${argument}` })
    }
  }
  return out
}

t.test('every code an error class is built with in src is an ErrorCode', async (t) => {
  const built = codesBuilt()
  t.ok(built.length >= 30, `found the constructor calls (${built.length})`)
  for (const { file, code } of built) t.ok(isErrorCode(code), `${file}: ${code}`)
})

t.test('every ErrorCode is used in src outside the list', async (t) => {
  t.equal(new Set(ERROR_CODES).size, ERROR_CODES.length, 'no repeats')
  const elsewhere = FILES.filter(({ file }) => file !== join('core', 'errors.ts')).map(({ text }) => text).join('\n')
  for (const code of ERROR_CODES) {
    if (code === 'CONFIG_INVALID') continue // ConfigError's own, set in errors.ts
    t.ok(elsewhere.includes(`'${code}'`), code)
  }
})

t.test('the error classes carry the code they are given', async (t) => {
  t.equal(new TollgateError('m', 'OIDC_KEY_MISSING', 500).code, 'OIDC_KEY_MISSING')
  t.equal(new UpstreamError('m', 'UPSTREAM_WRITE_TIMEOUT', 504).code, 'UPSTREAM_WRITE_TIMEOUT')
  t.equal(new IdpError('m', 'IDP_TIMEOUT').code, 'IDP_TIMEOUT')
  t.equal(new ClientError('m', 'BODY_TOO_LARGE', 413).code, 'BODY_TOO_LARGE')
  t.equal(new TollgateError('m', relayedCode('ERR_JWK_INVALID'), 500).code, 'ERR_JWK_INVALID', 'a relayed code is kept as it was')
})

t.test('errorCode reads a string code off anything thrown', async (t) => {
  t.equal(errorCode(new IdpError('m', 'IDP_STATUS')), 'IDP_STATUS')
  t.equal(errorCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), 'ECONNRESET', "Node's codes too")
  t.equal(errorCode({ code: 'UND_ERR_SOCKET' }), 'UND_ERR_SOCKET', 'a plain object (a relayed error)')
  t.equal(errorCode(Object.assign(new Error('n'), { code: 42 })), null, 'a non-string code')
  t.equal(errorCode(new Error('none')), null)
  t.equal(errorCode(null), null)
  t.equal(errorCode(undefined), null)
  t.equal(errorCode('IDP_TIMEOUT'), null, 'a string is not an error')
})

t.test('hasCode and isErrorCode', async (t) => {
  t.ok(hasCode(new IdpError('m', 'JWKS_KID_UNKNOWN'), 'JWKS_KID_UNKNOWN'))
  t.notOk(hasCode(new IdpError('m', 'TOKEN_EXPIRED'), 'JWKS_KID_UNKNOWN'))
  t.notOk(hasCode(null, 'TOKEN_EXPIRED'))
  t.ok(isErrorCode('SIGNER_FAILED'))
  t.notOk(isErrorCode('ECONNRESET'), 'not ours')
  t.notOk(isErrorCode(undefined))
})
