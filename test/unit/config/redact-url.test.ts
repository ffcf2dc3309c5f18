// URL user info is hidden wherever text is shown (hardening issue, item 13): the helper itself, every log
// line (whatever call site logged the issuer or URL, error messages included), and config error messages.

import t from 'tap'
import { createLogger } from '../../../src/core/log.ts'
import { redactUrlCredentials, redactUrlCredentialsDeep } from '../../../src/core/redact-url.ts'
import { issuesOf, doc } from './issues.ts'

t.test('redactUrlCredentials', async (t) => {
  const cases: Array<[string, string]> = [
    ['https://user:pass@idp.example.com/realms/x', 'https://<redacted>@idp.example.com/realms/x'],
    ['http://only-user@h:8080', 'http://<redacted>@h:8080'],
    ['https://u:p@ss:w@rd@idp.example.com?a=b@c', 'https://<redacted>@idp.example.com?a=b@c'],
    ['discovery of https://a:b@x.test/.well-known failed, then http://c:d@y.test', 'discovery of https://<redacted>@x.test/.well-known failed, then http://<redacted>@y.test'],
    ['https://idp.example.com/path@not-userinfo', 'https://idp.example.com/path@not-userinfo'],
    ['someone@example.com', 'someone@example.com'],
    ['no url here', 'no url here'],
  ]
  for (const [input, expected] of cases) t.equal(redactUrlCredentials(input), expected, input)
  // no quadratic backtracking on long runs of scheme characters (Admin input reaches this helper)
  const long = 'x'.repeat(200_000)
  t.equal(redactUrlCredentials(`${long}@`), `${long}@`)
  t.equal(redactUrlCredentials(`http://${long}@h`), 'http://<redacted>@h')
  t.strictSame(redactUrlCredentialsDeep({ a: ['http://u:p@h'], b: 1, c: null, ['__proto__']: 'x' }), { a: ['http://<redacted>@h'], b: 1, c: null, ['__proto__']: 'x' })
})

t.test('log lines: every string field and error message has URL user info redacted', async (t) => {
  const lines: string[] = []
  const sink = { write: (line: string) => lines.push(line) }
  const logger = createLogger('debug', sink, sink).child({ issuer: 'https://client:child-s3cr3t@idp.test' })
  logger.log('warn', 'oidc_token_failed', { url: 'https://user:field-s3cr3t@idp.test/token', nested: { list: ['http://a:nested-s3cr3t@h'] } })
  logger.log('error', 'upstream_failed', { error: new Error('connect ECONNREFUSED for http://u:error-s3cr3t@10.0.0.1:9') })
  const all = lines.join('')
  t.notMatch(all, /s3cr3t/)
  t.match(JSON.parse(lines[0]), { issuer: 'https://<redacted>@idp.test', url: 'https://<redacted>@idp.test/token', nested: { list: ['http://<redacted>@h'] } })
  t.match(JSON.parse(lines[1]), { error: { message: 'connect ECONNREFUSED for http://<redacted>@10.0.0.1:9' } })
})

t.test('config errors never quote URL user info', async (t) => {
  const issues = issuesOf(doc({
    services: [{ name: 's', url: 'http://svc-user:svc-s3cr3t@' }],
    plugins: [{ name: 'openid-connect', config: { issuer: 'ftp://idp-user:idp-s3cr3t@idp.test', auth_methods: ['client_credentials'] } }],
  }))
  t.ok(issues.length >= 2)
  t.notMatch(JSON.stringify(issues), /s3cr3t/)
  t.ok(issues.some((issue) => issue.message.includes('<redacted>@')), 'the message still says where the URL was')
})
