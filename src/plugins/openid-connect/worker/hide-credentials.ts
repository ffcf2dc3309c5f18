// Kong's hide_credentials for the client credentials grant (the field in Kong's openid-connect docs; its
// handler.lua): the credentials that were used do not reach the upstream, nor do the Grant-Type headers.
// Authorization is replaced by the access token header anyway when upstream_access_token_header is an
// authorization form.

import type { ProxyContext } from '../../types.ts'
import type { BodyKind, CredentialLocation } from './credentials.ts'
import { CLIENT_ID, CLIENT_SECRET, GRANT_TYPE, removeCredentialFields } from './form-urlencoded.ts'
import { parseJsonObject } from './json-object.ts'

/**
 * Strips the Grant-Type headers and the credentials found at `location` from what goes upstream.
 * Credentials found in a body are stripped by the caller: hideBodyCredentials gives the new body, which
 * it hands to ctx.replaceBody().
 */
export function hideCredentials (ctx: ProxyContext, location: CredentialLocation): void {
  const headers = ctx.upstreamHeaders
  delete headers['grant-type']
  delete headers['x-grant-type']
  delete headers.grant_type
  if (location === 'header') delete headers.authorization
  else if (location === 'query') ctx.query = removeCredentialFields(ctx.query)
}

/** The body without client_id, client_secret and grant_type; the body itself when it has none of them. */
export function hideBodyCredentials (kind: BodyKind, body: Buffer): Buffer {
  if (kind === 'form') {
    const text = body.toString('utf8')
    const hidden = removeCredentialFields(text)
    return hidden === text ? body : Buffer.from(hidden, 'utf8')
  }
  const record = parseJsonObject(body)
  if (record === null) return body
  if (!Object.hasOwn(record, CLIENT_ID) && !Object.hasOwn(record, CLIENT_SECRET) && !Object.hasOwn(record, GRANT_TYPE)) return body
  delete record[CLIENT_ID]
  delete record[CLIENT_SECRET]
  delete record[GRANT_TYPE]
  return Buffer.from(JSON.stringify(record), 'utf8')
}
