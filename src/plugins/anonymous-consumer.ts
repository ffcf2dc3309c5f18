// The `anonymous` fallback Kong's auth plugins share (kong/plugins/key-auth/handler.lua and
// kong/plugins/basic-auth/access.lua, execute → set_anonymous_consumer / set_consumer(consumer)): with
// `anonymous` configured, a failed authentication identifies the anonymous consumer instead of answering
// 401 (Kong's "logical OR" between auth plugins), and a configured consumer that does not exist answers 500.
// findAnonymous runs once per plugin instance at config load; useAnonymous on the request path.

import type { Consumer } from '../config/types.ts'
import { isUuid } from '../config/schema/typedefs.ts'
import { setConsumerHeaders } from './consumer-headers.ts'
import type { ConfigView, ProxyContext } from './types.ts'

/** kong.client.load_consumer(anonymous, true): by id when it is a UUID, else (or when absent) by username */
export function findConsumer (view: ConfigView, key: string): Consumer | null {
  return (isUuid(key) ? view.consumers.byId(key) : undefined) ?? view.consumers.byUsername(key) ?? null
}

/** The anonymous consumer of a config, found once per compile; null when not configured or not found. */
export function findAnonymous (view: ConfigView, anonymous: string | null): Consumer | null {
  return anonymous === null ? null : findConsumer(view, anonymous)
}

/**
 * Identifies `consumer` (what findAnonymous found for `configured`) as the anonymous caller, with
 * X-Anonymous-Consumer: true upstream; or answers Kong's 500 when it was not found.
 */
export function useAnonymous (ctx: ProxyContext, configured: string, consumer: Consumer | null): void {
  if (consumer === null) {
    ctx.exit(500, `anonymous consumer ${configured} is configured but doesn't exist`)
    return
  }
  ctx.authenticate(consumer, null)
  setConsumerHeaders(ctx.upstreamHeaders, consumer, null, true)
}
