// The token endpoint POST for the client credentials grant (Kong's openid-connect token.lua request). Everything that comes
// from config is encoded once per plugin instance (createTokenRequestTemplate); a request only appends the
// client authentication.

import type { ClientAuthentication } from './client-auth.ts'
import { formUrlEncode } from './form-urlencoded.ts'

/** The config fields the request depends on, as the schema validates them. */
export interface TokenRequestConfig {
  readonly scopes?: readonly string[] | null
  readonly token_post_args_names?: readonly string[] | null
  readonly token_post_args_values?: readonly string[] | null
  readonly token_headers_names?: readonly string[] | null
  readonly token_headers_values?: readonly string[] | null
}

export interface TokenRequestTemplate {
  /** encoded form: grant_type, scope (when there are scopes), then token_post_args_* */
  readonly form: string
  /** token_headers_*, names lower-cased */
  readonly headers: Readonly<Record<string, string>>
}

export interface TokenRequest {
  readonly headers: Record<string, string>
  readonly body: string
}

const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8'

export function createTokenRequestTemplate (config: TokenRequestConfig): TokenRequestTemplate {
  // A Map keeps insertion order, and a post arg named like a standard field replaces it in place
  // (Kong assigns the extra args into the same table).
  const fields = new Map<string, string>([['grant_type', 'client_credentials']])
  const scopes = config.scopes ?? []
  if (scopes.length > 0) fields.set('scope', scopes.join(' '))
  const names = config.token_post_args_names ?? []
  const values = config.token_post_args_values ?? []
  for (let i = 0; i < names.length; i++) fields.set(names[i], values[i] ?? '')
  const form = Array.from(fields, ([name, value]) => `${formUrlEncode(name)}=${formUrlEncode(value)}`).join('&')

  const headers: Record<string, string> = {}
  const headerNames = config.token_headers_names ?? []
  const headerValues = config.token_headers_values ?? []
  for (let i = 0; i < headerNames.length; i++) headers[headerNames[i].toLowerCase()] = headerValues[i] ?? ''
  return { form, headers }
}

/** The request to send: the template plus the client authentication (which wins over a configured header). */
export function buildTokenRequest (template: TokenRequestTemplate, auth: ClientAuthentication): TokenRequest {
  const headers: Record<string, string> = { ...template.headers, 'content-type': CONTENT_TYPE }
  if (auth.authorization !== null) headers.authorization = auth.authorization
  const body = auth.formFields === '' ? template.form : `${template.form}&${auth.formFields}`
  return { headers, body }
}
