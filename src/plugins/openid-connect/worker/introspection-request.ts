// The introspection endpoint POST (RFC 7662 §2.1) for Kong's `introspection` auth method. What comes from
// config is encoded once per plugin instance (createIntrospectionTemplate); what Kong copies from the
// caller's request (introspection_headers_client, introspection_post_args_client and, since Kong 3.9,
// introspection_post_args_client_headers) is merged per call by introspectionCallerArgs, and only when the
// config names something to copy. Kong builds the same options in
// plugins-ee/openid-connect/kong/plugins/openid-connect/introspect.lua `new`, reading the caller's values
// through arguments.lua (`get_header`, `get_uri_arg`, `get_post_arg`: first value of a repeated one, an
// empty one counts as absent).

import { formUrlEncode } from './form-urlencoded.ts'

/** The config fields the request depends on, as the schema validates them (Kong's defaults applied). */
export interface IntrospectionRequestConfig {
  readonly introspection_token_param_name?: string | null
  readonly introspection_hint?: string | null
  readonly introspection_accept?: string | null
  readonly introspection_post_args_names?: readonly string[] | null
  readonly introspection_post_args_values?: readonly string[] | null
  readonly introspection_headers_names?: readonly string[] | null
  readonly introspection_headers_values?: readonly string[] | null
  readonly introspection_headers_client?: readonly string[] | null
  readonly introspection_post_args_client?: readonly string[] | null
  readonly introspection_post_args_client_headers?: readonly string[] | null
}

export interface IntrospectionTemplate {
  /** the encoded name of the field that carries the token, with its '=' (`token=` by default) */
  readonly tokenField: string
  /** encoded fields after the token: token_type_hint, then introspection_post_args_* */
  readonly form: string
  /** the same fields, unencoded, for a merge with the caller's */
  readonly fields: ReadonlyMap<string, string>
  /** introspection_headers_* (names lower-cased), Accept and Content-Type */
  readonly headers: Readonly<Record<string, string>>
  /** introspection_headers_client, lower-cased */
  readonly clientHeaders: readonly string[]
  /** introspection_post_args_client */
  readonly clientArgs: readonly string[]
  /** introspection_post_args_client_headers */
  readonly clientArgHeaders: readonly string[]
  /** false: introspectionCallerArgs always answers null (nothing is read from the caller's request) */
  readonly copiesFromCaller: boolean
}

/** What introspectionCallerArgs reads of the caller's request; names of `headers` lower-cased, as node:http gives them. */
export interface IntrospectionCaller {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** the request's query arguments */
  readonly query: URLSearchParams | null
  /** its application/x-www-form-urlencoded body, when the flow has read one; null otherwise */
  readonly form: URLSearchParams | null
}

/** The template's form and headers with the caller's values merged in (replacing the template's for one call). */
export interface IntrospectionCallerArgs {
  readonly form: string
  readonly headers: Readonly<Record<string, string>>
}

const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8'

// Headers that frame the request or its connection are undici's to write (it refuses some of them outright):
// neither config nor a caller sets them.
const FRAMING_HEADERS = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer',
  'proxy-connection', 'content-type'
])

// The gateway's own client authentication fields: a caller's value copied into the form must not pose as
// the gateway's client (Kong would send both; oidc-provider refuses a repeated field, others may take either).
const CLIENT_AUTH_FIELDS = new Set(['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'])

export function createIntrospectionTemplate (config: IntrospectionRequestConfig): IntrospectionTemplate {
  const tokenName = nonEmpty(config.introspection_token_param_name) ?? 'token'
  // A Map keeps insertion order; a post arg named token_type_hint replaces the hint in place (Kong assigns
  // args into one table). One named like the token field is dropped: the token sent is the caller's.
  const fields = new Map<string, string>([['token_type_hint', nonEmpty(config.introspection_hint) ?? 'access_token']])
  const names = config.introspection_post_args_names ?? []
  const values = config.introspection_post_args_values ?? []
  for (let i = 0; i < names.length; i++) if (names[i] !== '' && names[i] !== tokenName) fields.set(names[i], values[i] ?? '')

  const headers: Record<string, string> = {}
  const headerNames = config.introspection_headers_names ?? []
  const headerValues = config.introspection_headers_values ?? []
  for (let i = 0; i < headerNames.length; i++) setHeader(headers, headerNames[i], headerValues[i] ?? '')
  const clientHeaders = (config.introspection_headers_client ?? []).map((name) => name.toLowerCase())
  const clientArgs = (config.introspection_post_args_client ?? []).filter((name) => name !== '')
  const clientArgHeaders = (config.introspection_post_args_client_headers ?? []).filter((name) => name !== '')
  return {
    tokenField: `${formUrlEncode(tokenName)}=`,
    form: encodeFields(fields),
    fields,
    headers: finishHeaders(headers, config),
    clientHeaders,
    clientArgs,
    clientArgHeaders,
    copiesFromCaller: clientHeaders.length + clientArgs.length + clientArgHeaders.length > 0
  }
}

/**
 * The caller's values the config names, merged over the template's, or null when there is nothing to copy
 * (the template's form and headers apply as they are). Kong's order: a configured header or arg is
 * replaced by the caller's of the same name, and Accept is set last (introspection_accept wins).
 */
export function introspectionCallerArgs (template: IntrospectionTemplate, caller: IntrospectionCaller): IntrospectionCallerArgs | null {
  if (!template.copiesFromCaller) return null
  let headers: Record<string, string> | null = null
  for (const name of template.clientHeaders) {
    const value = firstValue(caller.headers[name])
    if (value !== null && !FRAMING_HEADERS.has(name) && name !== 'accept') {
      headers ??= { ...template.headers }
      headers[name] = value
    }
  }
  let fields: Map<string, string> | null = null
  // introspect.lua: the query argument first, else the form body's
  for (const name of template.clientArgs) {
    fields = withField(fields, template, name, caller.query?.get(name) || caller.form?.get(name) || null)
  }
  // Kong 3.9 (changelog: "pass client headers as introspection POST body arguments"), named as the header
  for (const name of template.clientArgHeaders) {
    fields = withField(fields, template, name, firstValue(caller.headers[name.toLowerCase()]))
  }
  if (headers === null && fields === null) return null
  return { form: fields === null ? template.form : encodeFields(fields), headers: headers ?? template.headers }
}

// The fields with name=value added (copied from the template's at the first), unless value is absent or
// the name is the token's or a client authentication field.
function withField (fields: Map<string, string> | null, template: IntrospectionTemplate, name: string,
  value: string | null): Map<string, string> | null {
  if (value === null || CLIENT_AUTH_FIELDS.has(name) || `${formUrlEncode(name)}=` === template.tokenField) return fields
  const merged = fields ?? new Map(template.fields)
  merged.set(name, value)
  return merged
}

function finishHeaders (headers: Record<string, string>, config: IntrospectionRequestConfig): Record<string, string> {
  headers.accept = nonEmpty(config.introspection_accept) ?? 'application/json'
  headers['content-type'] = CONTENT_TYPE
  return headers
}

function setHeader (headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase()
  if (lower !== '' && !FRAMING_HEADERS.has(lower)) headers[lower] = value
}

function encodeFields (fields: ReadonlyMap<string, string>): string {
  return Array.from(fields, ([name, value]) => `${formUrlEncode(name)}=${formUrlEncode(value)}`).join('&')
}

function firstValue (value: string | readonly string[] | undefined): string | null {
  const first = typeof value === 'string' ? value : value?.[0]
  return first === undefined || first === '' ? null : first
}

function nonEmpty (value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value
}
