// kong.conf-style settings at the top level of config.json.

import t from 'tap'
import { availableParallelism } from 'node:os'
import { loadConfigObject } from '../../../src/config/load.ts'
import { SOURCE, doc, issuesOf, sortIssues } from './issues.ts'

function settings (input: Record<string, unknown>) {
  return loadConfigObject(doc(input), SOURCE, {}).settings
}

t.test('defaults', async (t) => {
  const cpus = availableParallelism()
  t.strictSame(settings({}), {
    // Kong's default (kong.conf.default proxy_listen)
    proxy_listen: [
      { host: '0.0.0.0', port: 8000, flags: ['reuseport', 'backlog=16384'], ssl: false, http2: false, backlog: 16384, ipv6Only: null, soKeepalive: null },
      { host: '0.0.0.0', port: 8443, flags: ['http2', 'ssl', 'reuseport', 'backlog=16384'], ssl: true, http2: true, backlog: 16384, ipv6Only: null, soKeepalive: null }
    ],
    admin_listen: [{ host: '127.0.0.1', port: 8001, flags: [], ssl: false, http2: false, backlog: 2048, ipv6Only: null, soKeepalive: null }],
    worker_processes: cpus,
    headers: ['server_tokens', 'latency_tokens', 'x-kong-request-id'],
    headers_upstream: ['x-kong-request-id'],
    log_level: 'notice',
    proxy_access_log: 'off',
    drain_timeout: 10,
    client_header_timeout: 60,
    client_body_timeout: 60,
    client_max_body_size: 0,
    client_body_buffer_size: 8192,
    client_max_header_size: 16384,
    keepalive_timeout: 60,
    upstream_keepalive_pool_size: 512,
    upstream_keepalive_max_requests: 10000,
    upstream_keepalive_idle_timeout: 60,
    proxy_ssl_verify: true,
    trusted_ips: [],
    prefix: '.tollgate',
    token_cache_slots: 4096,
    token_cache_slot_size: 2048,
    oidc_verified_token_cache_size: 4 * 1024 * 1024,
    signing_threads: Math.max(1, Math.floor(cpus / 2)),
    admin_max_body_size: 10 * 1024 * 1024,
    admin_token: null,
    admin_allowed_hosts: [],
    router_flavor: 'traditional_compatible',
    dns_resolver: [],
    dns_hostsfile: '/etc/hosts',
    dns_order: ['LAST', 'SRV', 'A', 'CNAME'],
    dns_valid_ttl: null,
    dns_stale_ttl: 3600,
    dns_not_found_ttl: 30,
    dns_error_ttl: 1,
    dns_cache_size: 10000,
    dns_no_sync: false,
    // kong.conf.default
    ssl_cert: [],
    ssl_cert_key: [],
    ssl_cipher_suite: 'intermediate',
    ssl_ciphers: null,
    ssl_protocols: ['TLSv1.2', 'TLSv1.3'],
    ssl_prefer_server_ciphers: true,
    ssl_dhparam: null,
    ssl_session_tickets: true,
    ssl_session_timeout: 86400,
  })
  t.strictSame(settings({ log_level: null }).log_level, 'notice', 'null means the default')
})

t.test('listen: comma-separated string or array, IPv6, flags, port 0', async (t) => {
  t.strictSame(settings({ proxy_listen: '0.0.0.0:8000, [::]:8000 reuseport backlog=16384, 127.0.0.1:8443 ssl http2' }).proxy_listen, [
    { host: '0.0.0.0', port: 8000, flags: [], ssl: false, http2: false, backlog: 2048, ipv6Only: null, soKeepalive: null },
    { host: '::', port: 8000, flags: ['reuseport', 'backlog=16384'], ssl: false, http2: false, backlog: 16384, ipv6Only: null, soKeepalive: null },
    { host: '127.0.0.1', port: 8443, flags: ['ssl', 'http2'], ssl: true, http2: true, backlog: 2048, ipv6Only: null, soKeepalive: null },
  ])
  t.strictSame(settings({ proxy_listen: ['127.0.0.1:0', 'localhost:9000'] }).proxy_listen, [
    { host: '127.0.0.1', port: 0, flags: [], ssl: false, http2: false, backlog: 2048, ipv6Only: null, soKeepalive: null },
    { host: 'localhost', port: 9000, flags: [], ssl: false, http2: false, backlog: 2048, ipv6Only: null, soKeepalive: null },
  ])
  const [v6] = settings({ proxy_listen: '[::1]:8000 ipv6only=on so_keepalive=30:: deferred bind' }).proxy_listen
  t.equal(v6.ipv6Only, true)
  t.equal(v6.soKeepalive, 30, 'the idle time in seconds')
  t.equal(settings({ proxy_listen: '127.0.0.1:8000 so_keepalive=on' }).proxy_listen[0].soKeepalive, 0, 'on: the system idle time')
  t.strictSame(settings({ admin_listen: 'off' }).admin_listen, [])
})

t.test('listen errors', async (t) => {
  t.strictSame(issuesOf(doc({
    proxy_listen: '0.0.0.0',
    admin_listen: ['127.0.0.1:8001 sssl', 7, '127.0.0.1:70000', 'off'],
  })), sortIssues([
    { path: 'proxy_listen', message: "invalid listen address '0.0.0.0': expected host:port followed by optional flags" },
    { path: 'admin_listen[0]', message: "invalid listen flag 'sssl' in '127.0.0.1:8001 sssl'" },
    { path: 'admin_listen[1]', message: 'expected a string' },
    { path: 'admin_listen[2]', message: "invalid listen address '127.0.0.1:70000': port must be between 0 and 65535" },
    { path: 'admin_listen', message: "'off' cannot be combined with addresses" },
  ]))
  t.strictSame(issuesOf(doc({ proxy_listen: 'off' })), [{ path: 'proxy_listen', message: 'cannot be off' }])
  t.strictSame(issuesOf(doc({
    proxy_listen: ['0.0.0.0:8000 proxy_protocol', '0.0.0.0:8080 http2', '0.0.0.0:8443 ssl so_keepalive=30:10:3'],
    admin_listen: '127.0.0.1:8444 ssl',
  })), sortIssues([
    { path: 'proxy_listen[0]', message: "proxy_protocol is not supported by Tollgate yet in '0.0.0.0:8000 proxy_protocol'" },
    { path: 'proxy_listen[1]', message: "http2 without ssl (cleartext h2c) is not supported by Tollgate yet in '0.0.0.0:8080 http2'" },
    { path: 'proxy_listen[2]', message: "so_keepalive probe interval and count are not supported by Tollgate yet: use so_keepalive=on or so_keepalive=IDLE:: in '0.0.0.0:8443 ssl so_keepalive=30:10:3'" },
    { path: 'admin_listen', message: "ssl is not supported on admin_listen by Tollgate yet in '127.0.0.1:8444 ssl'" },
  ]))
  t.strictSame(issuesOf(doc({ proxy_listen: '127.0.0.1:70000' })), [
    { path: 'proxy_listen', message: "invalid listen address '127.0.0.1:70000': port must be between 0 and 65535" },
  ])
  t.strictSame(issuesOf(doc({ proxy_listen: 8000 })), [{ path: 'proxy_listen', message: 'expected a string or an array of strings' }])
})

t.test('headers and headers_upstream', async (t) => {
  t.strictSame(settings({ headers: 'Server, VIA, X-Kong-Upstream-Status,server' }).headers, ['server', 'via', 'x-kong-upstream-status'])
  t.strictSame(settings({ headers: ['latency_tokens', 'microsecond_latency_tokens'] }).headers, ['latency_tokens', 'microsecond_latency_tokens'])
  t.strictSame(settings({ headers: 'off', headers_upstream: 'off' }).headers, [])
  t.strictSame(settings({ headers_upstream: 'off' }).headers_upstream, [])
  t.strictSame(issuesOf(doc({ headers: 'server, X-Powered-By', headers_upstream: 'via' })), sortIssues([
    { path: 'headers', message: "invalid value 'X-Powered-By': expected one of: server_tokens, latency_tokens, x-kong-request-id, server, via, x-kong-proxy-latency, x-kong-response-latency, x-kong-admin-latency, x-kong-upstream-latency, x-kong-upstream-status, microsecond_latency_tokens, off" },
    { path: 'headers_upstream', message: "invalid value 'via': expected one of: x-kong-request-id, off" },
  ]))
  t.strictSame(issuesOf(doc({ headers: 'off, server' })), [{ path: 'headers', message: "'off' cannot be combined with other values" }])
})

t.test('worker_processes and signing_threads', async (t) => {
  t.equal(settings({ worker_processes: 'auto' }).worker_processes, availableParallelism())
  t.equal(settings({ worker_processes: 3, signing_threads: 2 }).worker_processes, 3)
  t.equal(settings({ signing_threads: '4' }).signing_threads, 4, 'numeric strings, as kong.conf and env substitution give')
  t.strictSame(issuesOf(doc({ worker_processes: 0, signing_threads: 1.5 })), sortIssues([
    { path: 'worker_processes', message: 'value must be greater than 0' },
    { path: 'signing_threads', message: 'expected an integer' },
  ]))
  t.strictSame(issuesOf(doc({ worker_processes: 'many' })), [{ path: 'worker_processes', message: 'expected an integer' }])
})

t.test('durations, sizes and counts', async (t) => {
  const s = settings({ drain_timeout: 2.5, client_max_body_size: '10m', admin_max_body_size: '512k', client_max_header_size: 32768, keepalive_timeout: '0' })
  t.strictSame([s.drain_timeout, s.client_max_body_size, s.admin_max_body_size, s.client_max_header_size, s.keepalive_timeout],
    [2.5, 10 * 1024 * 1024, 512 * 1024, 32768, 0])
  t.strictSame([settings({ client_body_buffer_size: '64k' }).client_body_buffer_size, settings({ client_body_buffer_size: 100 }).client_body_buffer_size],
    [64 * 1024, 100])
  t.strictSame(issuesOf(doc({ client_body_buffer_size: '0' })), [{ path: 'client_body_buffer_size', message: 'expected a size of at least 1 byte' }])
  t.strictSame(['512k', 1000, '0', 0].map((size) => settings({ oidc_verified_token_cache_size: size }).oidc_verified_token_cache_size),
    [512 * 1024, 1000, 0, 0], 'oidc_verified_token_cache_size: 0 disables the cache')
  t.strictSame(issuesOf(doc({ oidc_verified_token_cache_size: '4 MB' })),
    [{ path: 'oidc_verified_token_cache_size', message: 'expected a size in bytes, optionally with a k, m or g suffix' }])
  t.strictSame(issuesOf(doc({ oidc_verified_token_cache_size: -1 })), [{ path: 'oidc_verified_token_cache_size', message: 'value must be greater than -1' }])
  t.strictSame(issuesOf(doc({
    drain_timeout: -1,
    client_header_timeout: 0,
    client_max_body_size: '10 MB',
    upstream_keepalive_pool_size: -1,
    token_cache_slot_size: 16,
  })), sortIssues([
    { path: 'drain_timeout', message: 'value should be between 0 and 2147483' },
    { path: 'client_header_timeout', message: 'value must be greater than 0' },
    { path: 'client_max_body_size', message: 'expected a size in bytes, optionally with a k, m or g suffix' },
    { path: 'upstream_keepalive_pool_size', message: 'value must be greater than -1' },
    { path: 'token_cache_slot_size', message: 'value must be greater than 255' },
  ]))
})

t.test('log_level, proxy_access_log, prefix', async (t) => {
  t.strictSame([settings({ log_level: 'debug' }).log_level, settings({ proxy_access_log: 'stdout' }).proxy_access_log, settings({ prefix: '/var/lib/tollgate' }).prefix],
    ['debug', 'stdout', '/var/lib/tollgate'])
  t.strictSame(issuesOf(doc({ log_level: 'verbose', proxy_access_log: '/var/log/x', prefix: '' })), sortIssues([
    { path: 'log_level', message: 'expected one of: debug, info, notice, warn, error, crit' },
    { path: 'proxy_access_log', message: 'expected one of: off, stdout, stderr' },
    { path: 'prefix', message: 'expected a non-empty string' },
  ]))
})

t.test('proxy_ssl_verify: on or off, as kong.conf writes booleans', async (t) => {
  t.strictSame(['on', 'off', true, false, null].map((value) => settings({ proxy_ssl_verify: value }).proxy_ssl_verify),
    [true, false, true, false, true])
  t.strictSame(issuesOf(doc({ proxy_ssl_verify: 'yes' })), [{ path: 'proxy_ssl_verify', message: 'expected one of: on, off' }])
})

t.test('trusted_ips', async (t) => {
  t.strictSame(settings({ trusted_ips: '10.0.0.0/8, 192.168.1.1,::1, fd00::/8' }).trusted_ips, ['10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8'])
  t.strictSame(settings({ trusted_ips: ['0.0.0.0/0', '::/0'] }).trusted_ips, ['0.0.0.0/0', '::/0'])
  t.strictSame(issuesOf(doc({ trusted_ips: ['10.0.0.0/33', 'example.com'] })), [
    { path: 'trusted_ips[0]', message: "invalid value '10.0.0.0/33': expected an IP address or a CIDR range" },
    { path: 'trusted_ips[1]', message: "invalid value 'example.com': expected an IP address or a CIDR range" },
  ])
})

t.test('admin_token and admin_allowed_hosts', async (t) => {
  const token = 'a-long-enough-t0ken'
  t.equal(settings({ admin_token: token }).admin_token, token)
  t.equal(loadConfigObject(doc({ admin_token: '${{ env "DECK_ADMIN_TOKEN" }}' }), SOURCE, { DECK_ADMIN_TOKEN: token }).settings.admin_token, token, 'from the environment, as decK fills it') // eslint-disable-line no-template-curly-in-string
  // a placeholder left as written (POST /config substitutes nothing) has spaces: never a token by accident
  for (const bad of ['short', 'has a space in it here', '${{ env "DECK_ADMIN_TOKEN" }}', // eslint-disable-line no-template-curly-in-string
    1234567890123456, true, ['x'.repeat(20)]]) {
    const issues = issuesOf(doc({ admin_token: bad }), null)
    t.strictSame(issues.map((i) => i.path), ['admin_token'], JSON.stringify(bad))
    t.notOk(issues[0].message.includes(String(bad)), 'the value is not quoted')
  }
  t.strictSame(settings({ admin_allowed_hosts: 'Admin.Example.com, gw.internal.' }).admin_allowed_hosts, ['admin.example.com', 'gw.internal'])
  t.strictSame(settings({ admin_allowed_hosts: ['a.example'] }).admin_allowed_hosts, ['a.example'])
  t.strictSame(issuesOf(doc({ admin_allowed_hosts: ['ok.example', 'bad.example:8001', '*.example'] })).map((i) => i.path),
    ['admin_allowed_hosts[1]', 'admin_allowed_hosts[2]'])
})
