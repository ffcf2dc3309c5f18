// A route's `snis` as Kong's traditional_compatible router matches them (kong/router/transform.lua
// sni_op_transform / sni_val_transform, get_expression): `*.example.com` matches names ending in
// `.example.com`, `example.*` names starting with `example.`, anything else the exact name (a trailing dot
// dropped). The condition applies only to https requests: over plain http a route's snis are ignored
// (`net.protocol != "https" || tls.sni ...`, Kong issue #6425), and an https request without SNI matches
// no route that has snis. Rules are built at config load; matching allocates nothing.

const EXACT = 0
const SUFFIX = 1
const PREFIX = 2

export interface SniRule {
  /** EXACT, SUFFIX or PREFIX */
  readonly kind: number
  /** lower-cased: the exact name, the suffix (with its leading dot) or the prefix (with its trailing dot) */
  readonly value: string
}

export function parseSniRule (sni: string): SniRule {
  const lower = sni.toLowerCase()
  if (lower.charCodeAt(0) === 42 /* * */) return { kind: SUFFIX, value: lower.slice(1) }
  if (lower.charCodeAt(lower.length - 1) === 42) return { kind: PREFIX, value: lower.slice(0, -1) }
  return { kind: EXACT, value: lower.length > 1 && lower.endsWith('.') ? lower.slice(0, -1) : lower }
}

/**
 * @param sni the connection's server name, lower-cased, for an https request ('' when the client sent
 *   none); null for plain http, where snis do not restrict the route
 */
export function sniRulesMatch (rules: readonly SniRule[], sni: string | null): boolean {
  if (sni === null) return true
  if (sni === '') return false
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]
    if (rule.kind === EXACT ? sni === rule.value : rule.kind === SUFFIX ? sni.endsWith(rule.value) : sni.startsWith(rule.value)) return true
  }
  return false
}
