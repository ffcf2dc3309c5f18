// No secret of a plugin config (openid-connect's client_secret, cache_tokens_salt, client_jwk private
// members, token_post_args_values, token_headers_values, the user info of its issuer and token_endpoint
// URLs, a service url's user info) appears in any Admin API answer: entity lists and items, nested lists, GET /config, the 201
// of POST /config, the 400 of an invalid one (its echoed entities included), /, /status and /metrics.

import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { call, gatewayFor } from './admin-helpers.ts'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const

t.test('secrets never leave the Admin API', async (t) => {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<string, string>
  const secrets = ['client-s3cr3t-value', 'salt-s3cr3t-value', ...PRIVATE_MEMBERS.map((m) => jwk[m]),
    'issuer-s3cr3t', 'endpoint-s3cr3t', 'post-arg-s3cr3t', 'header-s3cr3t']
  // disabled: redaction is the same, and the gateway skips generating its signing keys (slow on a busy machine)
  const oidc = (secret: string) => ({
    name: 'openid-connect',
    enabled: false,
    config: {
      issuer: 'http://idp-user:issuer-s3cr3t@127.0.0.1:9/realms/test',
      token_endpoint: 'http://te-user:endpoint-s3cr3t@127.0.0.1:9/realms/test/token',
      token_post_args_names: ['api_key'],
      token_post_args_values: ['post-arg-s3cr3t'],
      token_headers_names: ['X-Api-Key'],
      token_headers_values: ['header-s3cr3t'],
      client_id: ['gateway'],
      client_secret: [secret],
      client_jwk: [{ ...jwk, kid: 'k1', alg: 'RS256' }],
      client_alg: ['RS256'],
      cache_tokens_salt: 'salt-s3cr3t-value',
      auth_methods: ['client_credentials'],
    },
  })
  const config = (secret: string) => ({
    _format_version: '3.0',
    services: [{ name: 'api', url: 'http://127.0.0.1:9', routes: [{ name: 'protected', paths: ['/p'], plugins: [oidc(secret)] }] }],
  })
  const gateway = await gatewayFor(t, config('client-s3cr3t-value'))
  const answers: string[] = []
  const admin = async (method: string, path: string, body?: object) => {
    const reply = await call(gateway.adminUrl, method, path, { body })
    answers.push(`${method} ${path} -> ${reply.status}\n${reply.text}`)
    return reply
  }

  const plugin = (await admin('GET', '/plugins')).json<{ data: Array<{ id: string, config: Record<string, unknown> }> }>().data[0]
  t.same(plugin.config.client_secret, ['<redacted>'])
  t.equal(plugin.config.cache_tokens_salt, '<redacted>')
  const shownJwk = (plugin.config.client_jwk as Array<Record<string, unknown>>)[0]
  for (const member of PRIVATE_MEMBERS) t.equal(shownJwk[member], '<redacted>', `client_jwk ${member}`)
  t.equal(shownJwk.n, jwk.n, 'public members are shown')
  t.equal(plugin.config.client_id?.toString(), 'gateway')
  t.same(plugin.config.token_post_args_values, ['<redacted>'])
  t.same(plugin.config.token_headers_values, ['<redacted>'])
  t.equal(plugin.config.issuer, 'http://<redacted>@127.0.0.1:9/realms/test', 'URL user info is redacted, the rest shown')
  t.equal(plugin.config.token_endpoint, 'http://<redacted>@127.0.0.1:9/realms/test/token')
  t.same(plugin.config.token_post_args_names, ['api_key'], 'names are shown')

  for (const path of ['/', '/status', '/services', '/routes', `/plugins/${plugin.id}`, '/routes/protected/plugins',
    `/routes/protected/plugins/${plugin.id}`, '/services/api/plugins', '/config', '/metrics']) {
    t.equal((await admin('GET', path)).status, 200, path)
  }
  t.equal((await admin('POST', '/config', config('another-s3cr3t-value'))).status, 201)
  secrets.push('another-s3cr3t-value')
  t.equal((await admin('POST', '/config?check_hash=1', config('another-s3cr3t-value'))).status, 304)

  const invalid = {
    _format_version: '3.0',
    services: [
      { name: 'api', url: 'http://127.0.0.1:9', routes: [{ name: 'protected', paths: ['/p'], plugins: [{ ...oidc('invalid-s3cr3t-value'), config: { ...oidc('invalid-s3cr3t-value').config, issuer: 'not a url' } }] }] },
      { name: 'with-credentials', url: 'http://svc-user:service-s3cr3t@127.0.0.1:9' },
    ],
    plugins: [{ name: 'not-installed', config: { client_secret: 'unknown-plugin-s3cr3t' } }],

    consumers: [{ username: 'c', keyauth_credentials: [{ key: 'credential-s3cr3t' }, { key: 'credential-s3cr3t' }] }],
  }
  secrets.push('invalid-s3cr3t-value', 'unknown-plugin-s3cr3t', 'credential-s3cr3t', 'service-s3cr3t')
  for (const query of ['', '?flatten_errors=1']) {
    const reply = await admin('POST', `/config${query}`, invalid)
    t.equal(reply.status, 400)
  }
  const flattened = JSON.parse(answers[answers.length - 1].slice(answers[answers.length - 1].indexOf('\n') + 1)) as { flattened_errors: Array<{ entity_type: string, entity: Record<string, unknown> }> }
  t.same(flattened.flattened_errors.map((e) => e.entity_type).sort(), ['consumer', 'plugin', 'plugin', 'service'], 'the invalid entities are echoed')
  t.same(flattened.flattened_errors.find((e) => e.entity.name === 'not-installed')?.entity.config, '<redacted>', 'an unknown plugin\'s config is not shown')

  const all = answers.join('\n')
  for (const secret of secrets) t.notOk(all.includes(secret), `no answer contains secret ${secret.slice(0, 8)}...`)
  t.notOk(gateway.output().includes('s3cr3t'), 'nor does the log')
})
