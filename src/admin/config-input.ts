// The body of POST /config, in the forms Kong's /config endpoint takes: a JSON declarative config (it
// holds `_format_version`), a JSON object whose `config` is that config as a string (or object), or a
// form field `config`, urlencoded or multipart (`curl -F config=@kong.json`, as Kong's docs post it); a
// form without one is read as a raw body. YAML is read where Kong reads it: a body sent as YAML
// (application/yaml, application/x-yaml, text/yaml), and a `config` string or form field that is not JSON
// (Kong's declarative unserialize tries JSON, then YAML). The same bounds as a YAML file (yaml-text.ts).
// Which content types may reach here at all is decided by admin-guard.ts.

import { parseConfigText, type ConfigFormat } from '../config/config-text.ts'
import { YAML_BODY_TYPES } from './admin-guard.ts'
import { ERROR_CODES } from './kong-errors.ts'
import type { AdminRequest, AdminResult } from './types.ts'

const EXPECTED: AdminResult = { status: 400, body: { message: 'expected a declarative configuration' } }

/** Kong's answer when the text is not a config at all: code 14 with the parser's reason and position. */
function unparsable (reason: string): AdminResult {
  const error = `failed parsing declarative configuration: ${reason}`
  return {
    status: 400,
    body: { code: ERROR_CODES.DECLARATIVE_CONFIG, name: 'invalid declarative configuration', message: `declarative config is invalid: ${error}`, fields: { error } }
  }
}

function parse (text: string, format: ConfigFormat): { value: unknown } | AdminResult {
  const parsed = parseConfigText(text, format)
  return parsed.ok ? { value: parsed.value } : unparsable(parsed.message)
}

/** A config given as a string (a form field, Kong's {"config": "..."}): JSON when it looks like JSON, else YAML. */
function parseEmbedded (text: string): { value: unknown } | AdminResult {
  const first = text.trimStart()[0]
  return parse(text, first === '{' || first === '[' || first === '"' ? 'json' : 'yaml')
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function contentType (req: AdminRequest): string {
  const type = req.headers['content-type']
  return typeof type === 'string' ? type.toLowerCase() : ''
}

/** The `config` field of a multipart form (a file part or a plain one), or null without one or when malformed. */
async function multipartConfig (req: AdminRequest, body: Buffer): Promise<string | null> {
  try {
    const form = await new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData()
    const field = form.get('config')
    if (field === null) return null
    return typeof field === 'string' ? field : await field.text()
  } catch {
    return null
  }
}

async function formConfig (req: AdminRequest, body: Buffer, text: string): Promise<string | null> {
  const type = contentType(req)
  if (type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams(text).get('config')
  if (type.startsWith('multipart/form-data')) return await multipartConfig(req, body)
  return null
}

/** The posted document (still to be validated), or the 400 Kong answers for an empty or unparsable body. */
export async function readConfigInput (req: AdminRequest): Promise<{ document: unknown } | AdminResult> {
  if (req.body === null || req.body.length === 0) return EXPECTED
  const text = req.body.toString('utf8')
  // a form without a `config` field is read as the raw body, as Kong does (curl -d sends JSON that way)
  const config = await formConfig(req, req.body, text)
  if (config !== null) {
    if (config === '') return EXPECTED
    const parsed = parseEmbedded(config)
    return 'value' in parsed ? { document: parsed.value } : parsed
  }
  const type = contentType(req)
  if (YAML_BODY_TYPES.some((yaml) => type.startsWith(yaml))) {
    const parsed = parse(text, 'yaml')
    return 'value' in parsed ? { document: parsed.value } : parsed
  }
  const parsed = parse(text, 'json')
  if (!('value' in parsed)) return parsed
  const value = parsed.value
  if (!isRecord(value) || '_format_version' in value || !('config' in value)) return { document: value }
  if (typeof value.config === 'string') {
    const inner = parseEmbedded(value.config)
    return 'value' in inner ? { document: inner.value } : inner
  }
  return { document: value.config }
}
