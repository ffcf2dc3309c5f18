// Kong's PUT /upstreams/{u}/targets/{t}/healthy|unhealthy and .../{t}/{address}/healthy|unhealthy
// (kong/api/routes/upstreams.lua set_target_health -> kong/db/dao/targets.lua post_health ->
// kong/runloop/balancer/init.lua post_health), pure over the health table. The lead's route finds the
// upstream and the target (404 "Not found" otherwise) and answers with the result's status.
// - health checks off for the upstream: 400 "no healthchecker found for <name>"
// - an address that is an IP: that address (its port, else 8000) -> set_target_status
// - no address, or an address that is a name: every address of the target whose port is the target's port
//   (or the address's, else 8000) -> set_all_target_statuses_for_hostname
// - addresses the healthchecker does not know (none match, or the target's weight is 0) are a silent no-op,
//   as Kong's "trying to set status for a target that is not in the list" warning returns success.

import { isIP } from 'node:net'
import type { HealthTable } from './health-table.ts'
import { DEFAULT_TARGET_PORT, splitTarget, type TargetHealthInput, type UpstreamHealthInput } from './health-status.ts'

export type OverrideResult =
  | { readonly status: 204 }
  | { readonly status: 400, readonly body: { readonly message: string } }

const DONE: OverrideResult = { status: 204 }

export function setTargetHealth (
  table: HealthTable,
  upstream: UpstreamHealthInput,
  target: TargetHealthInput,
  address: string | null,
  healthy: boolean
): OverrideResult {
  if (!upstream.rules.enabled) return { status: 400, body: { message: `no healthchecker found for ${upstream.name}` } }
  let ip: string | null = null
  let port = splitTarget(target.entity.target).port
  if (address !== null) {
    const parsed = parseAddress(address)
    if (parsed === null) return { status: 400, body: { message: `invalid address '${address}'` } }
    port = parsed.port ?? DEFAULT_TARGET_PORT
    if (parsed.ip) ip = canonicalIp(parsed.host)
  }
  if (target.entity.weight <= 0) return DONE
  for (const peer of target.peers) {
    if (peer.port !== port || peer.weight <= 0) continue
    if (ip !== null && (isIP(unbracket(peer.address)) === 0 || canonicalIp(peer.address) !== ip)) continue
    table.setHealthy(peer.slot, healthy)
  }
  return DONE
}

export interface ParsedAddress {
  readonly host: string
  readonly port: number | null
  readonly ip: boolean
}

const HOST_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/i
const PORT = /^[0-9]{1,5}$/

/** Kong's normalize_ip for the {address} segment: "ip", "ip:port", "[ipv6]", "[ipv6]:port", "name[:port]"; null when invalid. */
export function parseAddress (text: string): ParsedAddress | null {
  let host = text
  let portText: string | null = null
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close === -1) return null
    host = text.slice(1, close)
    const rest = text.slice(close + 1)
    if (isIP(host) !== 6 || (rest !== '' && !rest.startsWith(':'))) return null
    if (rest !== '') portText = rest.slice(1)
  } else if (isIP(text) === 6) {
    return { host: text, port: null, ip: true }
  } else {
    const colon = text.indexOf(':')
    if (colon !== -1) {
      host = text.slice(0, colon)
      portText = text.slice(colon + 1)
    }
  }
  let port: number | null = null
  if (portText !== null) {
    if (!PORT.test(portText)) return null
    port = Number(portText)
    if (port > 65535) return null
  }
  const family = isIP(host)
  if (family === 6 && !text.startsWith('[')) return null
  if (family === 0 && !HOST_NAME.test(host)) return null
  return { host, port, ip: family !== 0 }
}

function unbracket (address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
}

/** One spelling per address, so "[0000:...:0001]" and "::1" compare equal. */
function canonicalIp (address: string): string {
  const bare = unbracket(address)
  return isIP(bare) === 6 ? new URL(`http://[${bare}]/`).hostname : bare
}
