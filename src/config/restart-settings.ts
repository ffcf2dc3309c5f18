// Settings bound when the gateway starts: listeners, worker count, prefix, shared memory and thread pool
// sizes, and what each worker's HTTP server and upstream pools are built with. A live reload cannot
// change them; POST /config refuses a change, SIGHUP keeps the running values and says which need a restart.

import { deepFreeze } from './freeze.ts'
import { canonicalJson, configHash } from './hash.ts'
import type { LoadedConfig, Settings } from './types.ts'

export const RESTART_SETTINGS: readonly (keyof Settings)[] = [
  'proxy_listen', 'admin_listen', 'worker_processes', 'prefix', 'token_cache_slots', 'token_cache_slot_size',
  'oidc_verified_token_cache_size',
  'signing_threads', 'client_header_timeout', 'client_body_timeout', 'client_max_header_size', 'keepalive_timeout',
  'upstream_keepalive_pool_size', 'upstream_keepalive_max_requests', 'upstream_keepalive_idle_timeout',
  // a kong.conf setting: Kong reads it at start only
  'router_flavor',
  // the DNS client is built once at start, as Kong's (kong/tools/dns.lua)
  'dns_resolver', 'dns_hostsfile', 'dns_order', 'dns_valid_ttl', 'dns_stale_ttl', 'dns_not_found_ttl', 'dns_error_ttl',
  'dns_cache_size', 'dns_no_sync',
  // files read once at start, as nginx reads its ssl_certificate and ssl_dhparam (src/tls/default-certificate.ts);
  // the other ssl_* settings apply to the handshakes after a reload
  'ssl_cert', 'ssl_cert_key', 'ssl_dhparam'
]

/** `next` with the running values of the restart-bound settings, and the names of those it had changed. */
export function keepRestartSettings (next: LoadedConfig, running: LoadedConfig): { config: LoadedConfig, changed: string[] } {
  const changed = RESTART_SETTINGS.filter((name) => canonicalJson(next.settings[name]) !== canonicalJson(running.settings[name]))
  if (changed.length === 0) return { config: next, changed }
  const settings = { ...next.settings } as Record<string, unknown>
  for (const name of changed) settings[name] = running.settings[name]
  const merged = settings as unknown as Settings
  return { config: deepFreeze({ ...next, settings: merged, hash: configHash(merged, next.entities) }), changed }
}
