// Stage: config load, on the main thread (resolve-entities.ts). The credential entities (keyauth_credentials,
// basicauth_credentials, jwt_secrets, acls) from their drafts: the consumer each belongs to (by nesting, or
// the top-level `consumer` reference as DB-less resolves it), a stable id, Kong's unique fields, and the
// basic-auth password hashed as kong/plugins/basic-auth/crypto.lua hash() does it on write.

import { createHash } from 'node:crypto'
import type { ConfigIssue } from '../core/errors.ts'
import type { Acl, BasicAuthCredential, Entities, JwtSecret, KeyAuthCredential } from './types.ts'
import type { Draft, Drafts } from './flatten.ts'
import { DEFAULT_WORKSPACE, generatedId } from './ids.ts'
import { indexDrafts, resolveReference, type KindIndex } from './references.ts'
import { consumerRef, type CredentialKind } from './schema/credentials.ts'
import { joinPath } from './schema/engine.ts'

export interface CredentialOptions {
  /**
   * Hash basic-auth passwords at load (Kong's transformations, on unless the file has `_transform: false`,
   * as Kong's own export writes, or decK's `_info.skip_hash_for_basic_auth: true`: the passwords are hashes).
   */
  readonly hashPasswords: boolean
}

type Credentials = Pick<Entities, CredentialKind>

/** basic-auth/crypto.lua hash(consumer_id, password): sha1 hex of password .. consumer_id */
export function basicAuthHash (consumerId: string, password: string): string {
  return createHash('sha1').update(password + consumerId).digest('hex')
}

function consumerOf (draft: Draft, consumers: KindIndex, issues: ConfigIssue[]): string | null {
  if (draft.parent !== null) return draft.parent.id
  const ref = draft.fields.consumer
  const path = joinPath(draft.path, 'consumer')
  if (ref === null) {
    issues.push({ path, message: 'required field missing' })
    return null
  }
  return resolveReference(consumerRef(ref), 'consumer', 'consumers', consumers, path, issues)
}

/**
 * The key an id is generated from when none is given. basicauth_credentials and acls: Kong's own (declarative_config.lua
 * get_key_for_uuid_gen → build_cache_key: entity, workspace and cache_key fields), so their ids are Kong's; for an acl
 * whose consumer is an {id}/{username} record Kong leaves the consumer out of the key, Tollgate puts its id in. Kong
 * gives keyauth_credentials and jwt_secrets random ids (their cache key `key` is `auto`): Tollgate derives a key-auth
 * id from its consumer and position (never from the key, which a derived id would let anyone test guesses against)
 * and a jwt id from its key (the `iss` it matches, not a secret).
 */
function idKey (kind: CredentialKind, draft: Draft, consumer: string, ordinal: number): string {
  const f = draft.fields
  switch (kind) {
    case 'basicauth_credentials': return `${kind}:${DEFAULT_WORKSPACE}:${f.username as string}`
    case 'jwt_secrets': return `${kind}:${DEFAULT_WORKSPACE}:${f.key as string}`
    case 'keyauth_credentials': return `${kind}:${consumer}:${ordinal}`
    case 'acls': {
      const ref = draft.parent === null && typeof f.consumer === 'string' ? f.consumer : consumer
      return `${kind}:${DEFAULT_WORKSPACE}:${ref}:${f.group as string}`
    }
  }
}

function resolveKind (kind: CredentialKind, drafts: readonly Draft[], consumers: KindIndex, issues: ConfigIssue[]): Array<string | null> {
  const ordinals = new Map<string, number>()
  const owners = drafts.map((draft) => {
    const consumer = consumerOf(draft, consumers, issues)
    const ordinal = ordinals.get(consumer ?? draft.path) ?? 0
    ordinals.set(consumer ?? draft.path, ordinal + 1)
    const given = draft.fields.id
    draft.id = typeof given === 'string' ? given : generatedId(kind, idKey(kind, draft, consumer ?? draft.path, ordinal))
    return consumer
  })
  indexDrafts(kind, drafts, issues)
  return owners
}

function base (draft: Draft, consumer: string, now: number): { id: string, consumer: { id: string }, tags: string[] | null, created_at: number } {
  const f = draft.fields
  return { id: draft.id, consumer: { id: consumer }, tags: f.tags as string[] | null, created_at: (f.created_at as number | null) ?? now }
}

/** Builds every credential; one whose consumer did not resolve is left out (the config fails on the issue). */
export function buildCredentials (drafts: Drafts, consumers: KindIndex, now: number, issues: ConfigIssue[],
  options: CredentialOptions): Credentials {
  const build = <T>(kind: CredentialKind, make: (draft: Draft, consumer: string) => T): T[] => {
    const owners = resolveKind(kind, drafts[kind], consumers, issues)
    const out: T[] = []
    drafts[kind].forEach((draft, i) => {
      const owner = owners[i]
      if (owner !== null) out.push(make(draft, owner))
    })
    return out
  }
  return {
    keyauth_credentials: build<KeyAuthCredential>('keyauth_credentials', (d, c) => ({
      ...base(d, c, now), key: d.fields.key as string, ttl: d.fields.ttl as number | null,
    })),
    basicauth_credentials: build<BasicAuthCredential>('basicauth_credentials', (d, c) => {
      const password = d.fields.password as string
      return { ...base(d, c, now), username: d.fields.username as string, password: options.hashPasswords ? basicAuthHash(c, password) : password }
    }),
    jwt_secrets: build<JwtSecret>('jwt_secrets', (d, c) => ({
      ...base(d, c, now),
      key: d.fields.key as string,
      secret: d.fields.secret as string | null,
      rsa_public_key: d.fields.rsa_public_key as string | null,
      algorithm: d.fields.algorithm as JwtSecret['algorithm'],
    })),
    acls: build<Acl>('acls', (d, c) => ({ ...base(d, c, now), group: d.fields.group as string })),
  }
}
