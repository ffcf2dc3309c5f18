// The path sent upstream, from the service path, the (normalised) request path and what the route matched.
// v0 is Kong 3.x's kong/router/utils.lua get_upstream_uri_v0 (the only rule of the traditional_compatible
// and expressions routers); v1 is the Kong 1.x rule kept by Kong's `traditional` router
// (kong/router/traditional.lua). Kong's docs table "path_handling" and its router specs are the tests.

const SLASH = 47

/**
 * @param servicePath the service's path; null means "/"
 * @param requestPath the normalised request path (starts with '/')
 * @param matchedLength how much of requestPath the route path matched (Router#matchedLength); 0 when the
 *   route matched without a path, and then nothing is stripped
 */
export function upstreamPath (servicePath: string | null, requestPath: string, matchedLength: number,
  stripPath: boolean, pathHandling: 'v0' | 'v1'): string {
  const base = servicePath === null || servicePath === '' ? '/' : servicePath
  // Kong: the postfix is what follows the matched prefix, or the whole path less its leading slash when
  // no path matched. It only matters when strip_path is on.
  const postfix = sanitizePostfix(stripPath && matchedLength > 0
    ? requestPath.slice(matchedLength)
    : requestPath.slice(1))
  return pathHandling === 'v1'
    ? joinV1(base, requestPath, postfix, stripPath)
    : joinV0(base, requestPath, postfix, stripPath)
}

/** Kong's sanitize_uri_postfix: a leading "." / ".." segment left over from a prefix match is dropped. */
function sanitizePostfix (postfix: string): string {
  if (postfix === '.' || postfix === '..') return ''
  if (postfix.startsWith('./')) return postfix.slice(2)
  if (postfix.startsWith('../')) return postfix.slice(3)
  return postfix
}

/** v0: service path, route path and request path are segments, joined with single slashes. */
function joinV0 (base: string, requestPath: string, postfix: string, stripPath: boolean): string {
  if (base.charCodeAt(base.length - 1) === SLASH) {
    if (!stripPath) return base + requestPath.slice(1)
    if (postfix === '') {
      if (base === '/') return '/'
      // keep the trailing slash only when the request had one
      return requestPath.charCodeAt(requestPath.length - 1) === SLASH ? base : base.slice(0, -1)
    }
    return postfix.charCodeAt(0) === SLASH ? base.slice(0, -1) + postfix : base + postfix
  }
  if (!stripPath) return requestPath === '/' ? base : base + requestPath
  if (postfix === '') {
    return requestPath.length > 1 && requestPath.charCodeAt(requestPath.length - 1) === SLASH ? base + '/' : base
  }
  return postfix.charCodeAt(0) === SLASH ? base + postfix : base + '/' + postfix
}

/** v1: the service path is a plain prefix; only a double slash at the seam is merged. */
function joinV1 (base: string, requestPath: string, postfix: string, stripPath: boolean): string {
  if (!stripPath) return base + requestPath.slice(1)
  if (base.charCodeAt(base.length - 1) === SLASH && postfix.charCodeAt(0) === SLASH) {
    return base.slice(0, -1) + postfix
  }
  return base + postfix
}
