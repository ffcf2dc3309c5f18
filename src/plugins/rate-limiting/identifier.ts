// What a request is counted by: handler.lua get_identifier, branch for branch. Whatever has no value
// falls back to the client's address (kong.client.get_forwarded_ip), as in Kong: a consumer-less request
// under limit_by consumer, a request without the header, a path other than config.path.

import type { ProxyContext } from '../types.ts'

export const BY_CONSUMER = 0
export const BY_CREDENTIAL = 1
export const BY_IP = 2
export const BY_SERVICE = 3
export const BY_HEADER = 4
export const BY_PATH = 5

const LIMIT_BY: Readonly<Record<string, number>> = {
  consumer: BY_CONSUMER,
  credential: BY_CREDENTIAL,
  ip: BY_IP,
  service: BY_SERVICE,
  header: BY_HEADER,
  path: BY_PATH,
}

export function limitByCode (limitBy: string): number {
  return LIMIT_BY[limitBy]
}

/**
 * kong.client.get_forwarded_ip: the address nginx's realip module settled on. Tollgate has no
 * real_ip_header, so this is the connection's peer address (Kong's default, real_ip_header X-Real-IP
 * with no trusted_ips, gives the same).
 */
export function clientIp (ctx: ProxyContext): string {
  return ctx.req.socket.remoteAddress ?? ''
}

/**
 * handler.lua get_identifier. `header` is the lower-cased header name. A header sent more than once
 * counts as Node joins it (values joined by ", "), where kong.request.get_header takes the first.
 */
export function identifierOf (ctx: ProxyContext, by: number, header: string, path: string | null): string {
  switch (by) {
    case BY_CONSUMER: {
      const id = ctx.consumer?.id ?? ctx.credential?.id ?? null
      return id ?? clientIp(ctx)
    }
    case BY_CREDENTIAL: return ctx.credential?.id ?? clientIp(ctx)
    case BY_SERVICE: return ctx.service?.id ?? clientIp(ctx)
    case BY_HEADER: {
      const value = ctx.req.headers[header]
      return typeof value === 'string' ? value : clientIp(ctx)
    }
    case BY_PATH: return ctx.path === path ? path : clientIp(ctx)
    default: return clientIp(ctx)
  }
}
