// The default certificate (src/tls/default-certificate.ts): generated once under prefix/ssl when a listener
// has `ssl` and ssl_cert is unset, as Kong's prefix_handler.lua gen_default_ssl_cert (RSA 2048 and ECDSA
// P-256, CN=localhost), reused on the next start, and not made at all without an `ssl` listener.

import t from 'tap'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseSettings } from '../../../src/config/settings.ts'
import { ConfigError } from '../../../src/core/errors.ts'
import { createLogger } from '../../../src/core/log.ts'
import { prepareServerTls } from '../../../src/tls/default-certificate.ts'

function collectingLogger (): { logger: ReturnType<typeof createLogger>, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const sink = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }
  return { logger: createLogger('debug', sink, sink), lines }
}

t.test('generated once, reused after', async (t) => {
  const prefix = await mkdtemp(join(tmpdir(), 'tollgate-ssl-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const settings = parseSettings({ proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl', prefix }, [])
  const first = collectingLogger()
  const made = await prepareServerTls(settings, '<test>', first.logger)
  t.ok(made)
  t.strictSame((await readdir(join(prefix, 'ssl'))).sort(), ['kong-default-ecdsa.crt', 'kong-default-ecdsa.key', 'kong-default.crt', 'kong-default.key'])
  const [rsa, ecdsa] = made!.certificates.map((pair) => new X509Certificate(pair.cert))
  t.equal(rsa.publicKey.asymmetricKeyType, 'rsa')
  t.equal(rsa.publicKey.asymmetricKeyDetails?.modulusLength, 2048)
  t.equal(ecdsa.publicKey.asymmetricKeyType, 'ec')
  t.equal(ecdsa.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  t.match(rsa.subject, /CN=localhost/)
  t.notOk(rsa.ca, 'not a CA')
  t.ok(rsa.checkPrivateKey(createPrivateKey(made!.certificates[0].key)), 'key matches')
  t.equal((await stat(join(prefix, 'ssl', 'kong-default.key'))).mode & 0o777, 0o600, 'the key is private to the user')
  t.equal(first.lines.filter((line) => line.event === 'default_certificate_generated').length, 2, 'the log says where each one is')
  t.equal(made!.ticketKeys.length, 48)

  const second = collectingLogger()
  const again = await prepareServerTls(settings, '<test>', second.logger)
  t.strictSame(again!.certificates, made!.certificates, 'the same files are read back')
  t.equal(second.lines.filter((line) => line.event === 'default_certificate_generated').length, 0, 'nothing generated')
  t.notSame(Buffer.from(again!.ticketKeys), Buffer.from(made!.ticketKeys), 'ticket keys are made per start')
})

t.test('no ssl listener: nothing made', async (t) => {
  const prefix = await mkdtemp(join(tmpdir(), 'tollgate-ssl-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  t.equal(await prepareServerTls(parseSettings({ prefix, proxy_listen: '0.0.0.0:8000' }, []), '<test>', collectingLogger().logger), null)
  t.strictSame(await readdir(prefix), [])
})

t.test('ssl_cert / ssl_cert_key are read; a missing file names the setting', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-ssl-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'a.crt'), 'CERT')
  await writeFile(join(dir, 'a.key'), 'KEY')
  const ok = await prepareServerTls(parseSettings({ proxy_listen: '127.0.0.1:0 ssl', ssl_cert: join(dir, 'a.crt'), ssl_cert_key: join(dir, 'a.key'), prefix: dir }, []), '<test>', collectingLogger().logger)
  t.strictSame(ok!.certificates, [{ cert: 'CERT', key: 'KEY' }])
  const failed = await prepareServerTls(parseSettings({ proxy_listen: '127.0.0.1:0 ssl', ssl_cert: join(dir, 'nope.crt'), ssl_cert_key: join(dir, 'a.key'), prefix: dir }, []), '<test>', collectingLogger().logger).catch((err: unknown) => err)
  t.ok(failed instanceof ConfigError)
  t.equal((failed as ConfigError).issues[0].path, 'ssl_cert[0]')
  const issues: Array<{ path: string, message: string }> = []
  parseSettings({ ssl_cert: 'a.crt, b.crt', ssl_cert_key: 'a.key' }, issues)
  t.strictSame(issues, [{ path: 'ssl_cert_key', message: 'ssl_cert was specified 2 times while ssl_cert_key was specified 1 times' }], 'kong/conf_loader/parse.lua')
})
