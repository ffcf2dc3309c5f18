// decK's environment substitution (decK file/readfile.go): `${{ env "DECK_NAME" }}` anywhere in a string
// value. decK runs the whole file through a Go template; here each parsed string value is substituted, so
// a variable's content can never break the JSON structure. As in decK only DECK_* variables may be read and
// a missing one is an error. decK's converters are supported when a placeholder is the whole value:
// `"${{ env "DECK_PORT" | toInt }}"` gives the number, not the string. Values never appear in messages.

import type { ConfigIssue } from '../core/errors.ts'
import { joinPath } from './schema/engine.ts'

const PLACEHOLDER = /\$\{\{(.*?)\}\}/gs
const ENV_CALL = /^\s*env\s+"([^"]*)"\s*(?:\|\s*(\w+)\s*)?$/
const BOOLEANS: Readonly<Record<string, boolean>> = {
  1: true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  0: false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
}

type Convert = (text: string) => unknown

const CONVERTERS: Readonly<Record<string, Convert>> = {
  toBool: (text) => BOOLEANS[text],
  toInt: (text) => /^[+-]?\d+$/.test(text) ? Number(text) : undefined,
  toFloat: (text) => text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined,
}

/** Resolves one placeholder's inside to its value, or undefined after reporting why not. */
function resolve (inside: string, env: NodeJS.ProcessEnv, path: string, issues: ConfigIssue[]): unknown {
  const call = ENV_CALL.exec(inside)
  if (call === null) {
    issues.push({ path, message: `invalid placeholder '\${{${inside}}}': expected \${{ env "DECK_NAME" }}` })
    return undefined
  }
  const [, name, pipe] = call
  if (!name.startsWith('DECK_')) {
    issues.push({ path, message: `environment variable '${name}' cannot be used: names must start with DECK_` })
    return undefined
  }
  const text = env[name]
  if (text === undefined) {
    issues.push({ path, message: `environment variable '${name}' is not set` })
    return undefined
  }
  if (pipe === undefined) return text
  const convert = CONVERTERS[pipe]
  if (convert === undefined) {
    issues.push({ path, message: `unknown function '${pipe}' (expected toBool, toInt or toFloat)` })
    return undefined
  }
  const value = convert(text)
  if (value === undefined) issues.push({ path, message: `environment variable '${name}' cannot be converted by ${pipe}` })
  return value
}

function substitute (text: string, env: NodeJS.ProcessEnv, path: string, issues: ConfigIssue[]): unknown {
  if (!text.includes('${{')) return text
  const before = issues.length
  const matches = [...text.matchAll(PLACEHOLDER)]
  if (matches.length === 1 && matches[0][0] === text) {
    const value = resolve(matches[0][1], env, path, issues)
    return issues.length === before ? value : text
  }
  const out = text.replace(PLACEHOLDER, (_, inside: string) => String(resolve(inside, env, path, issues) ?? ''))
  return issues.length === before ? out : text
}

/**
 * A copy of `input` with every placeholder in string values replaced. Where one fails the string is kept
 * as written, and its path is added to `failed` so later checks do not report the same value again.
 */
export function interpolate (input: unknown, env: NodeJS.ProcessEnv, path: string, issues: ConfigIssue[], failed: Set<string>): unknown {
  if (typeof input === 'string') {
    const before = issues.length
    const value = substitute(input, env, path, issues)
    if (issues.length !== before) failed.add(path)
    return value
  }
  if (Array.isArray(input)) return input.map((item, i) => interpolate(item, env, joinPath(path, i), issues, failed))
  if (typeof input === 'object' && input !== null) {
    // fromEntries defines own properties, so a "__proto__" key from JSON stays a plain key
    return Object.fromEntries(Object.entries(input).map(([key, value]) =>
      [key, interpolate(value, env, joinPath(path, key), issues, failed)]))
  }
  return input
}
