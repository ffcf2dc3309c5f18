// The plugin's short-circuit responses (Kong's openid-connect responses.lua): 401 with a Bearer challenge, 403, 500.
// Everything that depends only on config is built once per plugin instance; a request picks a prepared
// headers object and, with display_errors, appends its reason to the message.
// With `anonymous` set, a 401 or a 403 is not sent: the request goes on as the anonymous consumer
// (responses.lua unauthorized/forbidden call consumers.anonymous first), with X-Anonymous-Consumer: true;
// an anonymous consumer the config does not have is Kong's 500 ("anonymous consumer was not found").

import type { Consumer } from '../../../config/types.ts'
import { setConsumerHeaders } from '../../consumer-headers.ts'
import type { ProxyContext } from '../../types.ts'
import { headerSafe } from './claim-headers.ts'

/** The config fields the responses depend on, as the schema validates them. */
export interface ErrorResponseConfig {
  readonly display_errors?: boolean | null
  readonly expose_error_code?: boolean | null
  readonly unauthorized_error_message?: string | null
  readonly forbidden_error_message?: string | null
}

export interface ErrorResponder {
  /** 401 invalid_token; `reason` is shown only with display_errors and must hold no secret or token */
  unauthorized (ctx: ProxyContext, reason?: string | null): void
  /** 401 for a token that arrived expired: error_description="The access token expired" */
  expired (ctx: ProxyContext, reason?: string | null): void
  /** 403 insufficient_scope */
  forbidden (ctx: ProxyContext, reason?: string | null): void
  /** 500 An unexpected error occurred */
  unexpected (ctx: ProxyContext, reason?: string | null): void
}

const UNEXPECTED = 'An unexpected error occurred'

/** `anonymous` as configured and the consumer it names in the loaded config (null: none has that id or username). */
export interface AnonymousConsumer {
  readonly configured: string
  readonly consumer: Consumer | null
}

export function createErrorResponder (config: ErrorResponseConfig, issuer: string, anonymous: AnonymousConsumer | null = null): ErrorResponder {
  const realm = `Bearer realm="${realmOf(issuer)}"`
  const exposeCode = config.expose_error_code !== false
  // Kong sorts the challenge's fields with the error ones last.
  const challenge = (error: string, description?: string): Readonly<Record<string, string>> => Object.freeze({
    'WWW-Authenticate': !exposeCode
      ? realm
      : `${realm}, error="${error}"${description === undefined ? '' : `, error_description="${description}"`}`
  })
  const invalid = challenge('invalid_token')
  const expired = challenge('invalid_token', 'The access token expired')
  const insufficient = challenge('insufficient_scope')
  const unauthorizedMessage = config.unauthorized_error_message ?? 'Unauthorized'
  const forbiddenMessage = config.forbidden_error_message ?? 'Forbidden'
  const display = config.display_errors === true
  const message = (base: string, reason: string | null | undefined): string =>
    display && reason !== undefined && reason !== null && reason !== '' ? `${base} (${reason})` : base

  const unexpected = (ctx: ProxyContext, reason?: string | null): void => ctx.exit(500, message(UNEXPECTED, reason))
  if (anonymous !== null) {
    const consumer = anonymous.consumer
    // its header values made safe once (a username may hold what a header value cannot)
    const shown = consumer === null ? null : { ...consumer, id: headerSafe(consumer.id), username: safeOrNull(consumer.username), custom_id: safeOrNull(consumer.custom_id) }
    const proceed = (ctx: ProxyContext): void => {
      if (consumer === null || shown === null) return unexpected(ctx, 'anonymous consumer was not found')
      setConsumerHeaders(ctx.upstreamHeaders, shown, null, true)
      ctx.authenticate(consumer, null)
    }
    return { unauthorized: proceed, expired: proceed, forbidden: proceed, unexpected }
  }

  return {
    unauthorized: (ctx, reason) => ctx.exit(401, message(unauthorizedMessage, reason), invalid),
    expired: (ctx, reason) => ctx.exit(401, message(unauthorizedMessage, reason), expired),
    forbidden: (ctx, reason) => ctx.exit(403, message(forbiddenMessage, reason), insufficient),
    unexpected
  }
}

/** The issuer's host without its port; Kong's fallback "kong" when the issuer is not a URL. */
export function realmOf (issuer: string): string {
  const url = URL.parse(issuer)
  if (url === null || url.hostname === '') return 'kong'
  const host = url.hostname
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

function safeOrNull (value: string | null): string | null {
  return value === null ? null : headerSafe(value)
}
