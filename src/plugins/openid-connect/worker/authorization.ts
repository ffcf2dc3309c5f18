// The required scopes, audience, groups and roles of Kong's openid-connect (handler.lua access,
// check_required, after issuers_allowed), built once per plugin instance. For each kind that is required:
// the claim is read with claims.find (claims.ts claimText: an array's elements joined by spaces) and split
// on blanks into a set (kong/openid-connect/set.lua new, array.lua new); each entry of *_required is itself
// split on blanks, and the token passes when ANY entry has ALL its words in the set (array.lua has; an
// entry with no words never matches). The four kinds are checked in that order and the first failure wins.
// Every failure is Kong's response.forbidden: 403, body {"message": forbidden_error_message} ("Forbidden"),
// a ForbiddenError whose code is insufficient_scope (kong/enterprise_edition/oauth/error_codes.lua), for
// audience, groups and roles as well as scopes.
// Kong's "were not found" message lists the token's values; ours names only the kind (values are the
// token's, and display_errors shows the reason to the client).

import { claimText, compileClaimPath, findCompiled } from './claims.ts'
import type { ClaimPath } from './claims.ts'

export interface AuthorizationConfig {
  readonly scopes_required: readonly string[] | null
  readonly scopes_claim: readonly string[]
  readonly audience_required: readonly string[] | null
  readonly audience_claim: readonly string[]
  readonly groups_required: readonly string[] | null
  readonly groups_claim: readonly string[]
  readonly roles_required: readonly string[] | null
  readonly roles_claim: readonly string[]
}

/** null: allowed; a string: why not (Kong's log / display_errors text, without token values) */
export type Authorize = (claims: Readonly<Record<string, unknown>>) => string | null

interface Requirement {
  readonly name: string
  readonly path: ClaimPath
  /** each entry of *_required as its words; an empty one never matches */
  readonly alternatives: readonly (readonly string[])[]
  readonly missing: string
  readonly unmet: string
}

// PCRE's \s without UCP, as ngx.re.gmatch([[([^\s]+)]], "jo") splits in kong/openid-connect/array.lua new
const WORD = /[^ \t\n\v\f\r]+/g

/** The blank-separated words of a text (Kong's array.new of a string). */
export function splitWords (text: string): string[] {
  return text.match(WORD) ?? []
}

function requirement (name: string, required: readonly string[] | null, claim: readonly string[], fallback: string): Requirement | null {
  // Kong's get_conf_arg: an empty array is unset, so no requirement and the default claim
  if (required === null || required.length === 0) return null
  return {
    name,
    path: compileClaimPath(claim.length === 0 ? [fallback] : claim),
    alternatives: required.map(splitWords),
    missing: `${name} required but no ${name} found`,
    unmet: `required ${name} were not found`
  }
}

function check (req: Requirement, claims: Readonly<Record<string, unknown>>): string | null {
  const text = claimText(findCompiled(claims, req.path))
  if (text === null) return req.missing
  const present = new Set(splitWords(text))
  for (const words of req.alternatives) {
    if (words.length > 0 && words.every((word) => present.has(word))) return null
  }
  return req.unmet
}

/** The checks a config asks for, or null when it requires nothing (the caller skips the step). */
export function createAuthorization (config: AuthorizationConfig): Authorize | null {
  const requirements = [
    requirement('scopes', config.scopes_required, config.scopes_claim, 'scope'),
    requirement('audience', config.audience_required, config.audience_claim, 'aud'),
    requirement('groups', config.groups_required, config.groups_claim, 'groups'),
    requirement('roles', config.roles_required, config.roles_claim, 'roles')
  ].filter((req): req is Requirement => req !== null)
  if (requirements.length === 0) return null
  return (claims) => {
    for (const req of requirements) {
      const reason = check(req, claims)
      if (reason !== null) return reason
    }
    return null
  }
}
