// The body of POST /config, in the forms Kong's /config endpoint takes: a JSON declarative config (it
// holds `_format_version`), a JSON object whose `config` is that config as a string (or object), or a
// form field `config`, urlencoded or multipart (`curl -F config=@kong.json`, as Kong's docs post it); a
// form without one is read as a raw body. YAML is not accepted: Tollgate's configs are JSON. Which
// content types may reach here at all is decided by admin-guard.ts.

import { parseJsonText } from '../config/json-text.ts'
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

function parse (text: string): { value: unknown } | AdminResult {
  const parsed = parseJsonText(text)
  if (parsed.ok) return { value: parsed.value }
  return unparsable(`invalid JSON at line ${parsed.line} column ${parsed.column}: ${parsed.message}`)
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
    const parsed = parse(config)
    return 'value' in parsed ? { document: parsed.value } : parsed
  }
  const parsed = parse(text)
  if (!('value' in parsed)) return parsed
  const value = parsed.value
  if (!isRecord(value) || '_format_version' in value || !('config' in value)) return { document: value }
  if (typeof value.config === 'string') {
    const inner = parse(value.config)
    return 'value' in inner ? { document: inner.value } : inner
  }
  return { document: value.config }
}
