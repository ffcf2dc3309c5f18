// A config's text, JSON or YAML, to a value: which reader by the file's extension (or the Admin body's
// Content-Type), and one shape of failure for both so that every caller words the error alike. JSON is a
// subset of YAML 1.2, but not of the YAML 1.1 decK reads, and JSON.parse is ~100 times faster: a .json
// file is always read as JSON.

import { extname } from 'node:path'
import { parseJsonText } from './json-text.ts'
import { parseYamlText, type Position } from './yaml-text.ts'

export type ConfigFormat = 'json' | 'yaml'

export type ConfigTextResult =
  | { readonly ok: true, readonly value: unknown, readonly positionOf: ((path: string) => Position | null) | null }
  | { readonly ok: false, readonly message: string }

const YAML_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml'])
export const CONFIG_EXTENSIONS: ReadonlySet<string> = new Set(['.json', ...YAML_EXTENSIONS])

/** .yaml and .yml are YAML, anything else JSON (as Tollgate read every file before YAML was accepted) */
export function formatOfFile (file: string): ConfigFormat {
  return YAML_EXTENSIONS.has(extname(file).toLowerCase()) ? 'yaml' : 'json'
}

/** The text as a value; a failure says "invalid JSON|YAML at line L column C: why". */
export function parseConfigText (text: string, format: ConfigFormat): ConfigTextResult {
  if (format === 'json') {
    const parsed = parseJsonText(text)
    if (parsed.ok) return { ok: true, value: parsed.value, positionOf: null }
    return { ok: false, message: `invalid JSON at line ${parsed.line} column ${parsed.column}: ${parsed.message}` }
  }
  const parsed = parseYamlText(text)
  if (parsed.ok) return parsed
  return { ok: false, message: `invalid YAML at line ${parsed.line} column ${parsed.column}: ${parsed.message}` }
}
