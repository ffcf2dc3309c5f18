// Stage: compile, in each proxy worker (compile-runtime.ts). The credentials of a loaded config indexed once
// per compile, beside the consumer index (consumer-index.ts), so that an auth plugin maps what a request
// carries to its credential and consumer with one Map lookup and never scans (Kong selects through its DAO
// cache: keyauth_credentials:select_by_key, basicauth_credentials:select_by_username, jwt_secrets:
// select_by_key in kong/plugins/*/handler.lua; acl groups by consumer: kong/plugins/acl/groups.lua).

import type { Acl, BasicAuthCredential, Consumer, Entities, JwtSecret, KeyAuthCredential } from './types.ts'
import type { ConsumerIndex } from './consumer-index.ts'

/** A credential with its consumer, and what ctx.authenticate records for it, built once. */
export interface CredentialMatch<C> {
  readonly credential: C
  readonly consumer: Consumer
  /** ctx.authenticate's credential (plugins/types.ts AuthenticatedCredential) */
  readonly authenticated: { readonly id: string, readonly consumer_id: string }
  /** ms since the epoch after which it no longer authenticates (key-auth ttl); Infinity: never */
  readonly expiresAt: number
}

export interface CredentialIndex {
  keyAuth (key: string): CredentialMatch<KeyAuthCredential> | undefined
  basicAuth (username: string): CredentialMatch<BasicAuthCredential> | undefined
  jwt (key: string): CredentialMatch<JwtSecret> | undefined
  /** the consumer's acl groups, in file order, each once; [] when none */
  groups (consumerId: string): readonly string[]
}

const NONE: readonly string[] = Object.freeze([])

function byField<C extends { readonly id: string, readonly consumer: { readonly id: string } }> (
  list: readonly C[], field: (credential: C) => string, consumers: ConsumerIndex, expiry: (credential: C) => number
): Map<string, CredentialMatch<C>> {
  const out = new Map<string, CredentialMatch<C>>()
  for (const credential of list) {
    const consumer = consumers.byId(credential.consumer.id)
    // load.ts resolved every consumer reference; a credential without one cannot authenticate anybody
    if (consumer === undefined) continue
    out.set(field(credential), Object.freeze({
      credential,
      consumer,
      authenticated: Object.freeze({ id: credential.id, consumer_id: consumer.id }),
      expiresAt: expiry(credential),
    }))
  }
  return out
}

function groupsByConsumer (acls: readonly Acl[]): Map<string, readonly string[]> {
  const out = new Map<string, string[]>()
  for (const acl of acls) {
    const groups = out.get(acl.consumer.id) ?? []
    if (!groups.includes(acl.group)) groups.push(acl.group)
    out.set(acl.consumer.id, groups)
  }
  for (const groups of out.values()) Object.freeze(groups)
  return out
}

const never = (): number => Infinity

class MapCredentialIndex implements CredentialIndex {
  readonly #keyAuth: Map<string, CredentialMatch<KeyAuthCredential>>
  readonly #basicAuth: Map<string, CredentialMatch<BasicAuthCredential>>
  readonly #jwt: Map<string, CredentialMatch<JwtSecret>>
  readonly #groups: Map<string, readonly string[]>

  constructor (entities: Entities, consumers: ConsumerIndex) {
    this.#keyAuth = byField(entities.keyauth_credentials, (c) => c.key, consumers,
      (c) => c.ttl === null ? Infinity : (c.created_at + c.ttl) * 1000)
    this.#basicAuth = byField(entities.basicauth_credentials, (c) => c.username, consumers, never)
    this.#jwt = byField(entities.jwt_secrets, (c) => c.key, consumers, never)
    this.#groups = groupsByConsumer(entities.acls)
  }

  keyAuth (key: string): CredentialMatch<KeyAuthCredential> | undefined {
    return this.#keyAuth.get(key)
  }

  basicAuth (username: string): CredentialMatch<BasicAuthCredential> | undefined {
    return this.#basicAuth.get(username)
  }

  jwt (key: string): CredentialMatch<JwtSecret> | undefined {
    return this.#jwt.get(key)
  }

  groups (consumerId: string): readonly string[] {
    return this.#groups.get(consumerId) ?? NONE
  }
}

export function createCredentialIndex (entities: Entities, consumers: ConsumerIndex): CredentialIndex {
  return new MapCredentialIndex(entities, consumers)
}
