// The Set-Cookie of a new consistent-hashing cookie (peer-attempt.ts sets ctx.setCookie when the request
// had none), added to a response as Kong's balancer.set_cookie does (kong/runloop/balancer/init.lua, called
// from the header_filter phase for proxied responses and Kong's own alike): a Set-Cookie the response
// already has for the same cookie name is replaced (the first one), any other is kept beside it.
// Runs only for a request that got a new cookie: not on the common path.

/** `name=` of a cookie string `name=value; ...` (Kong compares this prefix, case-sensitively). */
function prefixOf (cookie: string): string {
  return cookie.slice(0, cookie.indexOf('=') + 1)
}

/** Into raw [name, value, ...] response headers (an upstream's). */
export function addHashCookieRaw (flat: string[], cookie: string): void {
  const prefix = prefixOf(cookie)
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i].length === 10 && flat[i].toLowerCase() === 'set-cookie' && flat[i + 1].startsWith(prefix)) {
      flat[i + 1] = cookie
      return
    }
  }
  flat.push('set-cookie', cookie)
}

/** Into lower-cased header fields (the gateway's own responses). */
export function addHashCookie (headers: Record<string, string | string[]>, cookie: string): void {
  const existing = headers['set-cookie']
  if (existing === undefined) {
    headers['set-cookie'] = cookie
    return
  }
  const list = typeof existing === 'string' ? [existing] : existing
  const prefix = prefixOf(cookie)
  const at = list.findIndex((value) => value.startsWith(prefix))
  headers['set-cookie'] = at === -1 ? [...list, cookie] : list.map((value, i) => i === at ? cookie : value)
}
