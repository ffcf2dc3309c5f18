// How the gateway authenticates the caller's client to the token endpoint for the client credentials grant
// (kong/plugins/openid-connect/handler.lua). Kong ignores `client_auth` for this grant and uses the caller's
// id and secret;
// Tollgate's broker mode (private_key_jwt with the gateway's own key) is chosen by the handler, which then
// passes a signer that runs in the piscina pool: RSA/EC signing never happens on the event loop.

import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { formUrlEncode } from './form-urlencoded.ts'

export type SecretAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt'
export type ClientAuthMethod = SecretAuthMethod | 'private_key_jwt'

/** Kong's fixed preference among the methods a caller's secret can drive. */
const PREFERENCE: readonly SecretAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt']

/**
 * `token_endpoint_auth_method` when set and usable with a secret (not none/private_key_jwt); otherwise
 * the first of basic, post, client_secret_jwt that discovery's token_endpoint_auth_methods_supported
 * lists; basic when it lists none of them (or there is no list).
 */
export function chooseClientAuthMethod (tokenEndpointAuthMethod: string | null,
  supported: readonly string[] | null): SecretAuthMethod {
  for (const method of PREFERENCE) if (method === tokenEndpointAuthMethod) return method
  if (supported !== null) for (const method of PREFERENCE) if (supported.includes(method)) return method
  return 'client_secret_basic'
}

/** What a method adds to the token request: an Authorization value and/or encoded form fields ('' if none). */
export interface ClientAuthentication {
  readonly authorization: string | null
  readonly formFields: string
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before base64 (Kong skips this; oidc-provider needs it). */
export function clientSecretBasic (clientId: string, clientSecret: string): ClientAuthentication {
  const pair = `${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`
  return { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`, formFields: '' }
}

export function clientSecretPost (clientId: string, clientSecret: string): ClientAuthentication {
  return { authorization: null, formFields: `client_id=${formUrlEncode(clientId)}&client_secret=${formUrlEncode(clientSecret)}` }
}

export interface AssertionClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string
  readonly jti: string
  readonly iat: number
  readonly exp: number
}

/** Seconds an assertion is valid (Kong: exp = iat + 60). */
export const ASSERTION_LIFETIME = 60

/** iss = sub = client id, aud = token endpoint, jti = base64url of 32 random bytes, exp = iat + 60. */
export function assertionClaims (clientId: string, tokenEndpoint: string, nowSeconds = Math.floor(Date.now() / 1000)): AssertionClaims {
  return {
    iss: clientId,
    sub: clientId,
    aud: tokenEndpoint,
    jti: randomBytes(32).toString('base64url'),
    iat: nowSeconds,
    exp: nowSeconds + ASSERTION_LIFETIME
  }
}

const ASSERTION_TYPE = formUrlEncode('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')

function assertionFields (assertion: string): ClientAuthentication {
  return { authorization: null, formFields: `client_assertion=${formUrlEncode(assertion)}&client_assertion_type=${ASSERTION_TYPE}` }
}

export type HmacAlg = 'HS256' | 'HS384' | 'HS512'

/** `client_alg` when it is an HMAC algorithm, HS256 otherwise (Kong's default). */
export function hmacAlg (clientAlg: string | null | undefined): HmacAlg {
  return clientAlg === 'HS384' || clientAlg === 'HS512' ? clientAlg : 'HS256'
}

/** client_secret_jwt: an HMAC-signed assertion keyed by the raw secret; header {typ, alg}, no kid (as Kong). */
export async function clientSecretJwt (clientId: string, clientSecret: string, tokenEndpoint: string,
  alg: HmacAlg = 'HS256'): Promise<ClientAuthentication> {
  const assertion = await new SignJWT({ ...assertionClaims(clientId, tokenEndpoint) })
    .setProtectedHeader({ typ: 'JWT', alg })
    .sign(Buffer.from(clientSecret, 'utf8'))
  return assertionFields(assertion)
}

/** Signs claims with the gateway's key for `alg` (header typ, alg, kid), off the event loop. */
export type AssertionSigner = (claims: AssertionClaims, alg: string) => Promise<string>

/** private_key_jwt (Tollgate's broker mode): the same claims, signed by the gateway's key through `sign`. */
export async function privateKeyJwt (clientId: string, tokenEndpoint: string, alg: string,
  sign: AssertionSigner): Promise<ClientAuthentication> {
  return assertionFields(await sign(assertionClaims(clientId, tokenEndpoint), alg))
}

/** The authentication for a method that uses the caller's secret (Kong's behaviour for this grant). */
export function secretClientAuthentication (method: SecretAuthMethod, clientId: string, clientSecret: string,
  tokenEndpoint: string, clientAlg: string | null = null): ClientAuthentication | Promise<ClientAuthentication> {
  if (method === 'client_secret_basic') return clientSecretBasic(clientId, clientSecret)
  if (method === 'client_secret_post') return clientSecretPost(clientId, clientSecret)
  return clientSecretJwt(clientId, clientSecret, tokenEndpoint, hmacAlg(clientAlg))
}
