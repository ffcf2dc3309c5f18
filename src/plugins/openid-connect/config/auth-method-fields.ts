// The openid-connect fields of the bearer and introspection auth methods, of consumer mapping and of claim
// headers, with Kong's types, defaults and enums (kong/plugins/openid-connect/schema.lua; the 3.14 and 3.15
// additions from Kong's published plugin schema, as kong-fields.ts lists them). Tollgate's stricter
// rules, each said where it is: header names must be header names, a claim path has at least one member.

import type { ConfigIssue } from '../../../core/errors.ts'
import type { ArrayField, FieldSchema } from '../../../config/schema/engine.ts'
import { isSet } from '../../../config/schema/checks.ts'

/** Kong's client authentication methods that Tollgate implements (token and introspection endpoints). */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']

/** RFC 9110 field-name (a token): what a header-name field must hold. */
export const headerName: FieldSchema = {
  type: 'string', match: /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, match_description: 'a header name'
}
const headerNames: FieldSchema = { type: 'array', elements: headerName }
const strings: FieldSchema = { type: 'array', elements: { type: 'string' } }
const secrets: FieldSchema = { type: 'array', elements: { type: 'string', secret: true } }

/**
 * A claim path: a claim name, or the names leading to a claim nested in objects (["realm_access", "roles"]).
 * Kong's type is a plain array of strings; an empty path names no claim, so it is refused here.
 */
const claimPath: ArrayField = { type: 'array', len_min: 1, elements: { type: 'string' } }

function claim (name: string): FieldSchema {
  return { ...claimPath, default: [name] }
}

const BEARER_LOCATIONS = ['header', 'cookie', 'query', 'body']
const INTROSPECTION_ACCEPT = ['application/json', 'application/token-introspection+jwt', 'application/jwt']
const CONSUMER_FIELDS = ['id', 'username', 'custom_id']

export const AUTH_METHOD_FIELDS: Readonly<Record<string, FieldSchema>> = {
  // bearer: where the token is looked for
  bearer_token_param_type: {
    type: 'array', default: ['header', 'query', 'body'], elements: { type: 'string', one_of: BEARER_LOCATIONS }
  },
  bearer_token_cookie_name: { type: 'string' },
  /** Kong 3.15: the header the token is read from when not Authorization (null: Authorization) */
  bearer_token_header_name: headerName,

  // required claims (bearer tokens and introspection results) and where each is found
  audience_required: strings,
  audience_claim: claim('aud'),
  scopes_required: strings,
  scopes_claim: claim('scope'),
  groups_required: strings,
  groups_claim: claim('groups'),
  roles_required: strings,
  roles_claim: claim('roles'),

  // introspection (RFC 7662)
  introspection_endpoint: { type: 'string', url: true },
  introspection_endpoint_auth_method: { type: 'string', one_of: CLIENT_AUTH_METHODS },
  introspection_hint: { type: 'string', default: 'access_token' },
  introspection_check_active: { type: 'boolean', required: true, default: true },
  // a JWT answer (RFC 9701) would need its own verification: refused rather than failing every request
  introspection_accept: {
    type: 'string',
    default: 'application/json',
    one_of: INTROSPECTION_ACCEPT,
    custom: (value) => value === 'application/json' ? null : `'${String(value)}' (a JWT introspection answer) is not supported by Tollgate yet`
  },
  introspection_token_param_name: { type: 'string', default: 'token' },
  introspection_post_args_names: strings,
  // may carry credentials, as token_post_args_values: redacted (Kong encrypts only the header values)
  introspection_post_args_values: secrets,
  introspection_post_args_client: strings,
  introspection_post_args_client_headers: headerNames,
  introspection_headers_names: headerNames,
  introspection_headers_values: secrets,
  introspection_headers_client: headerNames,
  introspect_jwt_tokens: { type: 'boolean', required: true, default: false },
  cache_introspection: { type: 'boolean', required: true, default: true },

  // consumer mapping; consumer_claim (before Kong 3.14) is a deprecated form of consumer_claims (deprecated-fields.ts)
  consumer_claims: { type: 'array', elements: claimPath },
  consumer_by: { type: 'array', default: ['username', 'custom_id'], elements: { type: 'string', one_of: CONSUMER_FIELDS } },
  consumer_optional: { type: 'boolean', required: true, default: false },
  by_username_ignore_case: { type: 'boolean', required: true, default: false },
  /** a consumer id or username; a plugin schema does not see the config's consumers, so not checked here */
  anonymous: { type: 'string' },
  credential_claim: claim('sub'),

  // claim values sent upstream and downstream as headers
  upstream_headers_claims: strings,
  upstream_headers_names: headerNames,
  downstream_headers_claims: strings,
  downstream_headers_names: headerNames,
  upstream_introspection_header: headerName,
  downstream_introspection_header: headerName
}

function length (value: unknown): number {
  return Array.isArray(value) ? value.length : 0
}

/** Parallel arrays: one entry of `second` per entry of `first`. */
export function checkPair (config: Record<string, unknown>, first: string, second: string): ConfigIssue[] {
  const names = length(config[first])
  const values = length(config[second])
  return names === values
    ? []
    : [{ path: second, message: `must have as many entries as ${first} (${names}), has ${values}` }]
}

/** A cookie location needs the cookie's name (Kong's schema does not say so; its runtime then finds nothing). */
function checkBearerCookie (config: Record<string, unknown>): ConfigIssue[] {
  const locations = config.bearer_token_param_type
  return Array.isArray(locations) && locations.includes('cookie') && !isSet(config.bearer_token_cookie_name)
    ? [{ path: 'bearer_token_cookie_name', message: 'required when bearer_token_param_type includes cookie' }]
    : []
}

export function checkAuthMethodFields (config: Record<string, unknown>): ConfigIssue[] {
  return [
    ...checkPair(config, 'introspection_post_args_names', 'introspection_post_args_values'),
    ...checkPair(config, 'introspection_headers_names', 'introspection_headers_values'),
    ...checkPair(config, 'upstream_headers_claims', 'upstream_headers_names'),
    ...checkPair(config, 'downstream_headers_claims', 'downstream_headers_names'),
    ...checkBearerCookie(config)
  ]
}
