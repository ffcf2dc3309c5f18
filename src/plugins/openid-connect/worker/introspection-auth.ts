// How the gateway authenticates itself to the introspection endpoint (RFC 7662 §2.1: the endpoint "MUST
// require some form of authorization"). The gateway is the resource server here: its client is the
// plugin's client_id[0] with client_secret[0], client_auth[0], client_alg[0] and client_jwk[0], as Kong
// picks the first configured client (plugins-ee/openid-connect/kong/plugins/openid-connect/clients.lua
// `find`) and hands introspect.lua `introspection_endpoint_auth_method`.
//
// The method: introspection_endpoint_auth_method when set; else client_auth[0] when set; else the first
// that discovery's introspection_endpoint_auth_methods_supported lists and the client can use; else the
// token endpoint's selection (client-auth.ts chooseClientAuthMethod). oidc-provider omits that discovery
// list, and RFC 8414 §2 leaves the methods to "other means" then: the token endpoint's are the usual ones.
// private_key_jwt signs on the main thread's pool, as the token flow's broker mode does.

import type { JWK } from 'jose'
import { completeSigningJwk } from '../config/jwk-schema.ts'
import {
  chooseClientAuthMethod, privateKeyJwt, secretClientAuthentication, type AssertionSigner, type ClientAuthentication,
  type SecretAuthMethod
} from './client-auth.ts'
import { formUrlEncode } from './form-urlencoded.ts'

export type IntrospectionAuthMethod = SecretAuthMethod | 'private_key_jwt' | 'none'

/** The config fields the gateway's client authentication depends on. */
export interface IntrospectionClientConfig {
  readonly client_id?: readonly string[] | null
  readonly client_secret?: readonly string[] | null
  readonly client_auth?: readonly string[] | null
  readonly client_alg?: readonly string[] | null
  readonly client_jwk?: ReadonlyArray<Readonly<Record<string, unknown>>> | null
  readonly token_endpoint_auth_method?: string | null
  readonly introspection_endpoint_auth_method?: string | null
}

/** The gateway's introspection client, built once per plugin instance. */
export interface IntrospectionClient {
  readonly clientId: string
  /** null or '': only private_key_jwt or none can be used */
  readonly clientSecret: string | null
  /** introspection_endpoint_auth_method, else client_auth[0], when it is one of IntrospectionAuthMethod */
  readonly configuredMethod: IntrospectionAuthMethod | null
  readonly tokenEndpointAuthMethod: string | null
  /** client_alg[0]: the HMAC algorithm of client_secret_jwt and the alg of private_key_jwt */
  readonly clientAlg: string | null
  /** client_jwk[0] completed (alg, kid); null: the gateway's own key for `signingAlg` */
  readonly jwk: JWK | null
  readonly signingAlg: string
}

/** The discovered lists the choice reads (IssuerSnapshot's fields, null when discovery has none). */
export interface DiscoveredAuthMethods {
  readonly introspectionAuthMethods: readonly string[] | null
  readonly authMethods: readonly string[] | null
}

const METHODS: readonly IntrospectionAuthMethod[] = [
  'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'
]
// Preference among the discovered methods: the secret ones in Kong's order (client-auth.ts) when there is a
// secret, then the gateway's key; `none` only when nothing else can work.
const WITH_SECRET: readonly IntrospectionAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt']
const WITHOUT_SECRET: readonly IntrospectionAuthMethod[] = ['private_key_jwt', 'none']

/**
 * The gateway's introspection client from config, or null when no client_id is configured. A
 * client_jwk[0] that cannot sign throws (the schema reports it at load, as token-flow.ts `brokers`); a
 * configured method Tollgate cannot perform (tls_client_auth, self_signed_tls_client_auth) throws too.
 */
export function createIntrospectionClient (config: IntrospectionClientConfig): IntrospectionClient | null {
  const clientId = config.client_id?.[0]
  if (clientId === undefined || clientId === '') return null
  const configured = config.introspection_endpoint_auth_method ?? config.client_auth?.[0] ?? null
  if (configured !== null && !isMethod(configured)) {
    throw new TypeError(`openid-connect config: introspection client authentication ${configured} is not supported`)
  }
  const clientAlg = config.client_alg?.[0] ?? null
  const given = config.client_jwk?.[0] ?? null
  let jwk: JWK | null = null
  if (given !== null) {
    const completed = completeSigningJwk(given, clientAlg, 0)
    if (completed.issue !== null) throw new TypeError(`openid-connect config.${completed.issue.path}: ${completed.issue.message}`)
    jwk = completed.jwk
  }
  return {
    clientId,
    clientSecret: config.client_secret?.[0] ?? null,
    configuredMethod: configured,
    tokenEndpointAuthMethod: config.token_endpoint_auth_method ?? null,
    clientAlg,
    jwk,
    signingAlg: jwk?.alg ?? clientAlg ?? 'RS256'
  }
}

/** The method for this client against an IdP with these discovered methods (see the comment atop this file). */
export function chooseIntrospectionAuthMethod (client: IntrospectionClient, discovered: DiscoveredAuthMethods | null): IntrospectionAuthMethod {
  if (client.configuredMethod !== null) return client.configuredMethod
  const hasSecret = client.clientSecret !== null && client.clientSecret !== ''
  const listed = discovered?.introspectionAuthMethods ?? null
  if (listed !== null) for (const method of hasSecret ? WITH_SECRET : WITHOUT_SECRET) if (listed.includes(method)) return method
  if (!hasSecret) return 'private_key_jwt'
  return chooseClientAuthMethod(client.tokenEndpointAuthMethod, discovered?.authMethods ?? null)
}

/**
 * What the introspection request carries to authenticate the gateway to `endpoint` (an assertion's
 * audience is the endpoint called, which oidc-provider accepts as it does the issuer and token endpoint).
 * `sign` signs private_key_jwt assertions off the event loop: the flow passes
 * `(claims, alg) => service.sign(claims, alg, client.jwk, config.timeout)` (worker-service.ts).
 * A secret method without a secret sends an empty one: the IdP answers 401, never cached (see
 * introspection-endpoint.ts).
 */
export async function introspectionClientAuthentication (client: IntrospectionClient, endpoint: string,
  discovered: DiscoveredAuthMethods | null, sign: AssertionSigner): Promise<ClientAuthentication> {
  const method = chooseIntrospectionAuthMethod(client, discovered)
  if (method === 'private_key_jwt') return await privateKeyJwt(client.clientId, endpoint, client.signingAlg, sign)
  // RFC 6749 §2.3.1 names no "none"; a public client identifies itself with client_id (RFC 7591 §2)
  if (method === 'none') return { authorization: null, formFields: `client_id=${formUrlEncode(client.clientId)}` }
  return await secretClientAuthentication(method, client.clientId, client.clientSecret ?? '', endpoint, client.clientAlg)
}

function isMethod (value: string): value is IntrospectionAuthMethod {
  return (METHODS as readonly string[]).includes(value)
}
