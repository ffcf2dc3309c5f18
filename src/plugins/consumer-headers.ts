// The upstream headers Kong's auth plugins set when they identify a consumer (kong/plugins/key-auth/
// handler.lua and kong/plugins/basic-auth/access.lua set_consumer; names from kong/constants.lua
// HEADERS). Each header is set from the consumer or the credential, or removed when there is nothing to
// set, so a client can never pass its own X-Consumer-* upstream through an auth plugin.
// Kong clears nothing when authentication fails without an anonymous consumer (the request is answered
// 401 and never goes upstream), and nothing when no auth plugin runs on the route: Kong's core does not
// touch these headers (kong/runloop/handler.lua, kong/init.lua), so neither does Tollgate's proxy.
// X-Consumer-Groups is the acl plugin's (src/plugins/acl/handler.ts), from the consumer's acls.

import type { Consumer } from '../config/types.ts'

export const CONSUMER_ID = 'x-consumer-id'
export const CONSUMER_CUSTOM_ID = 'x-consumer-custom-id'
export const CONSUMER_USERNAME = 'x-consumer-username'
export const CREDENTIAL_IDENTIFIER = 'x-credential-identifier'
export const ANONYMOUS = 'x-anonymous-consumer'

/**
 * headers: ctx.upstreamHeaders (lower-case names). anonymous: the plugin fell back to its `anonymous`
 * consumer (Kong sets X-Anonymous-Consumer when set_consumer gets no credential).
 */
export function setConsumerHeaders (headers: Record<string, string | string[]>, consumer: Consumer,
  credentialId: string | null, anonymous: boolean): void {
  setOrRemove(headers, CONSUMER_ID, consumer.id)
  setOrRemove(headers, CONSUMER_CUSTOM_ID, consumer.custom_id)
  setOrRemove(headers, CONSUMER_USERNAME, consumer.username)
  setOrRemove(headers, CREDENTIAL_IDENTIFIER, credentialId)
  setOrRemove(headers, ANONYMOUS, anonymous ? 'true' : null)
}

/**
 * No consumer: every consumer header removed. Kong's openid-connect does this when it authenticated a
 * caller without mapping a consumer (kong/plugins/openid-connect/consumers.lua set, "removing possible
 * remnants of anonymous"); X-Credential-Identifier too, since Tollgate sets it from the credential.
 */
export function clearConsumerHeaders (headers: Record<string, string | string[]>): void {
  delete headers[CONSUMER_ID]
  delete headers[CONSUMER_CUSTOM_ID]
  delete headers[CONSUMER_USERNAME]
  delete headers[CREDENTIAL_IDENTIFIER]
  delete headers[ANONYMOUS]
}

function setOrRemove (headers: Record<string, string | string[]>, name: string, value: string | null): void {
  if (value === null) delete headers[name]
  else headers[name] = value
}
