// The gateway's own signing keys (Kong's oic_jwks): what private_key_jwt assertions are signed with and
// what GET /openid-connect/jwks publishes. Unlike Kong in DB-less mode they are persisted, because an IdP
// caches a client's keys (oidc-provider for a minute at least) and refuses assertions from a kid it does
// not know: a gateway that made new keys on every restart would be locked out meanwhile.
// Only asymmetric keys: Kong's `oct` stubs (HS keys without `k`) make oidc-provider reject the whole set.

import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import { errorCode, TollgateError } from '../../../core/errors.ts'

export interface JwkSet { readonly keys: readonly JWK[] }

/** Kong's asymmetric set (its Ed448 key left out: oidc-provider does not take it). */
const ALGORITHMS: ReadonlyArray<{ alg: string, crv?: string }> = [
  { alg: 'RS256' }, { alg: 'RS384' }, { alg: 'RS512' },
  { alg: 'PS256' }, { alg: 'PS384' }, { alg: 'PS512' },
  { alg: 'ES256' }, { alg: 'ES384' }, { alg: 'ES512' },
  { alg: 'EdDSA', crv: 'Ed25519' }
]
const DEFAULT_ALG = 'RS256'
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'r', 't']

export class GatewayKeys {
  readonly file: string
  #keys: readonly JWK[]
  #public: JwkSet
  #byAlg: Map<string, JWK>

  private constructor (file: string, keys: readonly JWK[]) {
    this.file = file
    this.#keys = keys
    this.#public = publicSet(keys)
    this.#byAlg = indexByAlg(keys)
  }

  /** Loads the key set persisted at `file`, or generates one and persists it (mode 0600). */
  static async open (file: string): Promise<GatewayKeys> {
    const stored = await readKeyFile(file)
    if (stored !== null) return new GatewayKeys(file, stored)
    const keys = await generateKeySet()
    await writeKeyFile(file, keys)
    return new GatewayKeys(file, keys)
  }

  /** The public parts, as GET /openid-connect/jwks serves them. */
  publicJwks (): JwkSet {
    return this.#public
  }

  /** The private JWK (with kid and alg) for `alg`, the RS256 one when there is none for it (as Kong). */
  signingKey (alg: string = DEFAULT_ALG): JWK {
    const jwk = this.#byAlg.get(alg) ?? this.#byAlg.get(DEFAULT_ALG)
    if (jwk === undefined) throw new TollgateError(`no gateway signing key for ${alg}`, 'OIDC_KEY_MISSING', 500)
    return jwk
  }

  /** Replaces every key with new ones and persists them (DELETE /openid-connect/jwks). */
  async rotate (): Promise<void> {
    const keys = await generateKeySet()
    await writeKeyFile(this.file, keys)
    this.#keys = keys
    this.#public = publicSet(keys)
    this.#byAlg = indexByAlg(keys)
  }

  get kids (): string[] {
    return this.#keys.map((jwk) => jwk.kid as string)
  }
}

async function generateKeySet (): Promise<JWK[]> {
  // Key generation runs on libuv's thread pool (node:crypto generateKeyPair), so the loop stays free.
  return await Promise.all(ALGORITHMS.map(async ({ alg, crv }) => {
    const { privateKey } = await generateKeyPair(alg, { crv, extractable: true })
    const jwk = await exportJWK(privateKey)
    return { ...jwk, kid: randomBytes(32).toString('base64url'), use: 'sig', alg }
  }))
}

function publicSet (keys: readonly JWK[]): JwkSet {
  const publicKeys = keys.filter((jwk) => jwk.kty !== 'oct').map((jwk) => {
    const copy: Record<string, unknown> = { ...jwk }
    for (const member of PRIVATE_MEMBERS) delete copy[member]
    return Object.freeze(copy as JWK)
  })
  return Object.freeze({ keys: Object.freeze(publicKeys) })
}

function indexByAlg (keys: readonly JWK[]): Map<string, JWK> {
  const byAlg = new Map<string, JWK>()
  for (const jwk of keys) if (jwk.alg !== undefined && !byAlg.has(jwk.alg)) byAlg.set(jwk.alg, jwk)
  return byAlg
}

async function readKeyFile (file: string): Promise<JWK[] | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null
    throw new TollgateError(`cannot read the openid-connect key file ${file}`, 'OIDC_KEYS_INVALID', 500, { cause: err })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = null
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isPrivateJwk)) {
    // Not regenerated silently: new keys would lock the gateway out of IdPs that cached the old ones.
    throw new TollgateError(`the openid-connect key file ${file} is not a JWK set with kid and alg on every key`, 'OIDC_KEYS_INVALID', 500)
  }
  return keys
}

function isPrivateJwk (value: unknown): value is JWK {
  const jwk = value as JWK | null
  return typeof jwk === 'object' && jwk !== null && typeof jwk.kty === 'string' && jwk.kty !== 'oct' &&
    typeof jwk.kid === 'string' && typeof jwk.alg === 'string' && typeof jwk.d === 'string'
}

// Written to a temporary file (0600 from creation) then renamed, so a crash never leaves half a key set.
async function writeKeyFile (file: string, keys: readonly JWK[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, JSON.stringify({ keys }, null, 2) + '\n', { mode: 0o600, flag: 'wx', flush: true })
    await rename(temporary, file)
  } catch (err) {
    await rm(temporary, { force: true })
    throw new TollgateError(`cannot write the openid-connect key file ${file}`, 'OIDC_KEYS_WRITE_FAILED', 500, { cause: err })
  }
}
