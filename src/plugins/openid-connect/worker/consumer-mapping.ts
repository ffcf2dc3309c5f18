// A token mapped to a Kong consumer (consumer_claim(s), consumer_by, by_username_ignore_case), the anonymous
// consumer, and credential_claim, as Kong's openid-connect does them (handler.lua access "consumer mapping";
// consumers.lua find and anonymous; cache.lua consumers.load and consumers_load), built once per plugin
// instance and then pure: lookups go to the config's ConsumerIndex.
//
// The subject is the claim as claims.find gives it (claims.ts claimText: a number as Lua prints it, an
// array's elements joined by spaces, an object ""). For each claim path (Kong 3.9 has one, consumer_claim;
// the outer loop), consumer_by is tried in order (the inner loop, cache.lua consumers.load); an empty
// consumer_by means Kong's fallback custom_id, username, id. By id only a UUID is looked up
// (kong.tools.utils is_valid_uuid); by username the exact name first, then, with by_username_ignore_case,
// any case (Kong picks the first of several matches; the index, the first in the config).
// When no consumer is found Kong answers 403 unless consumer_optional, the message
// "kong consumer was not found" with its reason in parentheses when there is one: MapConsumer's string is
// that whole text.

import type { ConsumerIndex } from '../../../config/consumer-index.ts'
import type { Consumer } from '../../../config/types.ts'
import { claimText, compileClaimPath, findCompiled } from './claims.ts'
import type { ClaimPath } from './claims.ts'

export type ConsumerField = 'id' | 'username' | 'custom_id'

export interface ConsumerMappingConfig {
  readonly consumer_claims: ReadonlyArray<readonly string[]> | null
  readonly consumer_by: readonly ConsumerField[]
  readonly by_username_ignore_case: boolean
  readonly credential_claim: readonly string[]
}

/** the consumer, or Kong's reason text for the 403 ("kong consumer was not found ...") */
export type MapConsumer = (claims: Readonly<Record<string, unknown>>) => Consumer | string

/** cache.lua consumers.load when consumer_by is unset */
const DEFAULT_CONSUMER_BY: readonly ConsumerField[] = ['custom_id', 'username', 'id']
/** consumers.lua anonymous: an anonymous consumer is named by id or by username */
const ANONYMOUS_BY: readonly ConsumerField[] = ['id', 'username']

const NOT_FOUND = 'kong consumer was not found'
const MISSING_SUBJECT = `${NOT_FOUND} (unable to load consumer by a missing subject)`
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function lookup (consumers: ConsumerIndex, field: ConsumerField, subject: string, ignoreCase: boolean): Consumer | undefined {
  switch (field) {
    case 'id':
      if (!UUID.test(subject)) return undefined
      // Kong's database compares UUIDs in any case; the index holds them as written
      return consumers.byId(subject) ?? consumers.byId(subject.toLowerCase())
    case 'username': return consumers.byUsername(subject, ignoreCase)
    case 'custom_id': return consumers.byCustomId(subject)
  }
}

function loadConsumer (consumers: ConsumerIndex, fields: readonly ConsumerField[], subject: string, ignoreCase: boolean): Consumer | null {
  for (const field of fields) {
    const consumer = lookup(consumers, field, subject, ignoreCase)
    if (consumer !== undefined) return consumer
  }
  return null
}

interface MappedClaim { readonly path: ClaimPath, readonly missing: string }

/** The mapper a config asks for, or null when consumer_claims is unset (no mapping). */
export function createConsumerMapper (config: ConsumerMappingConfig, consumers: ConsumerIndex): MapConsumer | null {
  if (config.consumer_claims === null) return null
  const claims: MappedClaim[] = config.consumer_claims
    .filter((path) => path.length > 0)
    .map((path) => ({
      path: compileClaimPath(path),
      // the claim's name is config, safe to show (consumers.lua find)
      missing: `${NOT_FOUND} (claim (${path.join(',')}) was not found for consumer mapping)`
    }))
  if (claims.length === 0) return null
  const fields = config.consumer_by.length > 0 ? config.consumer_by : DEFAULT_CONSUMER_BY
  const ignoreCase = config.by_username_ignore_case
  return (payload) => {
    let reason = NOT_FOUND
    for (const claim of claims) {
      const subject = claimText(findCompiled(payload, claim.path))
      if (subject === null) {
        reason = claim.missing
        continue
      }
      if (subject === '') {
        reason = MISSING_SUBJECT
        continue
      }
      const consumer = loadConsumer(consumers, fields, subject, ignoreCase)
      if (consumer !== null) return consumer
      reason = NOT_FOUND
    }
    return reason
  }
}

/**
 * The anonymous consumer (config `anonymous`): by id when it is a UUID, then by exact username
 * (consumers.lua anonymous → cache.lua consumers.load with anonymous set). null when none: Kong then
 * answers 500 "anonymous consumer was not found".
 */
export function findAnonymous (anonymous: string, consumers: ConsumerIndex): Consumer | null {
  if (anonymous === '') return null
  return loadConsumer(consumers, ANONYMOUS_BY, anonymous, false)
}

/**
 * ctx.authenticated_credential.id from credential_claim (handler.lua, when no consumer was mapped): the
 * claim as claims.find gives it (claimText), or null when it is absent or the path empty (Kong: unset).
 * An object claim gives "" as in Kong, whose test for a table there never fires (find already made text).
 */
export function credentialId (claims: Readonly<Record<string, unknown>>, credentialClaim: readonly string[]): string | null {
  if (credentialClaim.length === 0) return null
  return claimText(findCompiled(claims, compileClaimPath(credentialClaim)))
}
