// One plugin instance's view of its issuer for verifying JWT access tokens, shared by the client
// credentials flow (the token the IdP returned) and the resource server flow (a caller's bearer token):
// the issuer's current snapshot (asking the main thread for a discovery when there is none yet), and
// verification against its JWKS with Kong's one retry after a throttled rediscovery on an unknown kid
// (kong/plugins/openid-connect/handler.lua rediscover_keys).

import { hasCode } from '../../../core/errors.ts'
import { createJwksVerifier } from './jwks-verifier.ts'
import { JWKS_KID_UNKNOWN } from './token-errors.ts'
import { createVerifyOptions, verifyAccessToken, type VerifiedToken, type VerifyConfig, type VerifyOptions } from './verify-token.ts'
import type { IssuerView, OidcWorkerService } from './worker-service.ts'

const EMPTY_VERIFIER = createJwksVerifier([])

export class IssuerVerifier {
  readonly #service: OidcWorkerService
  readonly #discoveryUrl: string
  readonly #config: VerifyConfig & { readonly issuer: string }
  /** the ignore_signature entry that applies (createVerifyOptions); null for bearer tokens */
  readonly #grant: string | null
  #options: { issuer: string, options: VerifyOptions } | null = null

  constructor (service: OidcWorkerService, discoveryUrl: string, config: VerifyConfig & { readonly issuer: string }, grant: string | null) {
    this.#service = service
    this.#discoveryUrl = discoveryUrl
    this.#config = config
    this.#grant = grant
  }

  /** The issuer's snapshot and verifier; null when the IdP has not been discovered and cannot be now. */
  async view (): Promise<IssuerView | null> {
    return this.#service.issuer(this.#discoveryUrl) ?? await this.#service.rediscover(this.#discoveryUrl, 'no discovery yet')
  }

  /** Verifies `token` against `view` (or the current one): an unknown kid costs one throttled rediscovery. */
  async verify (token: string, view?: IssuerView | null): Promise<VerifiedToken> {
    const current = view === undefined ? await this.view() : view
    try {
      return await verifyAccessToken(token, current?.verifier ?? EMPTY_VERIFIER, this.#optionsFor(current))
    } catch (err) {
      if (!hasCode(err, JWKS_KID_UNKNOWN)) throw err
    }
    const fresh = await this.#service.rediscover(this.#discoveryUrl, 'unknown kid')
    return await verifyAccessToken(token, fresh?.verifier ?? EMPTY_VERIFIER, this.#optionsFor(fresh))
  }

  #optionsFor (view: IssuerView | null): VerifyOptions {
    const issuer = view?.snapshot.issuer ?? this.#config.issuer
    if (this.#options === null || this.#options.issuer !== issuer) {
      this.#options = { issuer, options: createVerifyOptions(this.#config, issuer, this.#grant) }
    }
    return this.#options.options
  }
}
