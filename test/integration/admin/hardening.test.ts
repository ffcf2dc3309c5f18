/* eslint-disable no-template-curly-in-string -- decK placeholders are literal ${{ ... }} text, not templates */
// The Admin API against browsers and other callers it did not expect (hardening issue, item 12): a web page
// cannot post a config (text/plain is 415, a foreign Origin or Sec-Fetch-Site is 403), DNS rebinding
// cannot reach it (a Host that names something else is 403), a posted decK placeholder is never filled
// from the gateway's environment, admin_token guards every route with Kong-Admin-Token, and a listener
// beyond loopback is warned about at start.

import t from 'tap'
import { call, gatewayFor, type Reply } from './admin-helpers.ts'

const GATEWAY_SECRET = 'gateway-env-s3cr3t'
const TOKEN = 'admin-t0ken-0123456789abcdef'

function withRoute (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _format_version: '3.0',
    services: [{ name: 'svc', url: 'http://127.0.0.1:9', routes: [{ name, paths: [`/${name}`] }] }],
    ...extra,
  }
}

function routeNames (reply: Reply): string[] {
  return reply.json<{ data: Array<{ name: string }> }>().data.map((route) => route.name)
}

t.test('a loopback gateway without a token', async (t) => {
  const gateway = await gatewayFor(t, withRoute('start'), { env: { DECK_GATEWAY_SECRET: GATEWAY_SECRET } })
  const base = gateway.adminUrl
  const own = new URL(base).host

  t.test('writes need a JSON or form body: text/plain is 415 and changes nothing', async (t) => {
    const reply = await call(base, 'POST', '/config', { body: JSON.stringify(withRoute('plain')), headers: { 'content-type': 'text/plain' } })
    t.equal(reply.status, 415)
    t.strictSame(reply.json(), { message: 'Unsupported Media Type' })
    const none = await call(base, 'POST', '/config', { body: JSON.stringify(withRoute('untyped')), headers: { 'content-type': '' } })
    t.equal(none.status, 415, 'a body without a content type')
    t.strictSame(routeNames(await call(base, 'GET', '/routes')), ['start'])
    t.equal((await call(base, 'POST', '/services')).status, 405, 'an empty write needs no type (Kong answers it as before)')
  })

  t.test('multipart/form-data with a config field, as `curl -F config=@kong.json` posts it', async (t) => {
    const form = new FormData()
    form.set('config', new Blob([JSON.stringify(withRoute('multipart'))]), 'kong.json')
    const encoded = new Response(form)
    const body = Buffer.from(await encoded.arrayBuffer())
    const reply = await call(base, 'POST', '/config', { body, headers: { 'content-type': encoded.headers.get('content-type')! } })
    t.equal(reply.status, 201)
    t.strictSame(routeNames(await call(base, 'GET', '/routes')), ['multipart'])
  })

  t.test('a foreign Origin or Sec-Fetch-Site is 403, on writes and reads', async (t) => {
    for (const origin of ['http://evil.example', 'null', `https://${own}`, 'http://127.0.0.1:1', 'http://localhost']) {
      const post = await call(base, 'POST', '/config', { body: withRoute('csrf'), headers: { origin } })
      t.equal(post.status, 403, `POST with Origin ${origin}`)
      t.match(post.json(), { message: /cross-origin/ })
      t.equal((await call(base, 'GET', '/config', { headers: { origin } })).status, 403, `GET with Origin ${origin}`)
    }
    for (const site of ['cross-site', 'same-site']) {
      t.equal((await call(base, 'POST', '/config', { body: withRoute('csrf'), headers: { 'sec-fetch-site': site } })).status, 403, site)
    }
    t.notOk(routeNames(await call(base, 'GET', '/routes')).includes('csrf'), 'nothing was loaded')
    const same = await call(base, 'POST', '/config', { body: withRoute('same-origin'), headers: { origin: `http://${own}`, 'sec-fetch-site': 'same-origin' } })
    t.equal(same.status, 201, 'the listener\'s own origin may post')
  })

  t.test('DNS rebinding: a Host that is not this listener is 403', async (t) => {
    const port = new URL(base).port
    for (const host of [`evil.example:${port}`, 'rebind.attacker.test', `localhost.evil.example:${port}`]) {
      const reply = await call(base, 'GET', '/services', { headers: { host } })
      t.equal(reply.status, 403, host)
      t.match(reply.json(), { message: /Host/ })
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST', `10.0.0.7:${port}`]) {
      t.equal((await call(base, 'GET', '/services', { headers: { host } })).status, 200, host)
    }
  })

  t.test('a posted decK placeholder stays as written: the Admin API never reads the gateway environment', async (t) => {
    const placeholder = '${{ env "DECK_GATEWAY_SECRET" }}'
    const config = withRoute('env', { plugins: [{ name: 'request-termination', route: 'env', config: { status_code: 200, message: placeholder } }] })
    t.equal((await call(base, 'POST', '/config', { body: config })).status, 201)
    const plugin = (await call(base, 'GET', '/plugins')).json<{ data: Array<{ config: { message: string } }> }>().data[0]
    t.equal(plugin.config.message, placeholder)
    const proxied = await fetch(`${gateway.proxyUrl}/env`)
    const text = await proxied.text()
    t.notOk(text.includes(GATEWAY_SECRET), 'the proxy answers the literal text, not the secret')
    t.notOk(gateway.output().includes(GATEWAY_SECRET))
  })

  t.test('a document nested thousands deep is a 400 parse error, not a stack overflow', async (t) => {
    const body = `{"_format_version":"3.0","_info":${'['.repeat(5000)}${']'.repeat(5000)}}`
    const reply = await call(base, 'POST', '/config', { body })
    t.equal(reply.status, 400)
    t.match(reply.json(), { code: 14, message: /nested too deeply/ })
  })

  t.test('no warning for a loopback admin_listen', async (t) => {
    t.notOk(gateway.logs.some((line) => line.event === 'admin_listen_not_loopback'))
  })
})

t.test('admin_token (from a decK placeholder in the file) guards every route; beyond loopback is warned about', async (t) => {
  const gateway = await gatewayFor(t, withRoute('start', {
    admin_listen: '0.0.0.0:0',
    admin_token: '${{ env "DECK_ADMIN_TOKEN" }}',
  }), { env: { DECK_ADMIN_TOKEN: TOKEN } })
  const base = gateway.adminUrl
  // the warning and the admin_listening line the helper waited for may come on different pipes (stderr,
  // stdout), in either order: wait for it rather than look for it
  const warning = await gateway.waitForLog((line) => line.event === 'admin_listen_not_loopback', { timeoutMs: 5000 })
  t.ok(warning, 'a warning at start')
  t.equal(warning?.level, 'warn')
  t.equal(warning?.admin_token, true)

  const routes: Array<[string, string, object?]> = [
    ['GET', '/'], ['GET', '/status'], ['GET', '/services'], ['GET', '/routes/start'], ['GET', '/config'],
    ['GET', '/metrics'], ['GET', '/no-such-path'], ['DELETE', '/services/svc'], ['POST', '/config', withRoute('intruder')],
  ]
  const refused: Array<Record<string, string>> = [
    {}, { 'kong-admin-token': 'wrong' }, { 'kong-admin-token': TOKEN.slice(0, -1) }, { 'kong-admin-token': `${TOKEN}x` },
  ]
  for (const [method, path, body] of routes) {
    for (const headers of refused) {
      const reply = await call(base, method, path, { body, headers })
      t.equal(reply.status, 401, `${method} ${path} ${JSON.stringify(headers)}`)
      t.strictSame(reply.json(), { message: 'Invalid RBAC credentials' })
    }
  }
  const auth = { 'kong-admin-token': TOKEN }
  const root = await call(base, 'GET', '/', { headers: auth })
  t.equal(root.status, 200)
  t.equal(root.json<{ configuration: { admin_token: string } }>().configuration.admin_token, '<redacted>', 'GET / does not show the token')
  t.equal((await call(base, 'POST', '/config', { body: withRoute('allowed'), headers: auth })).status, 201)
  t.strictSame(routeNames(await call(base, 'GET', '/routes', { headers: auth })), ['allowed'])
  t.notOk(gateway.output().includes(TOKEN), 'the token is never logged')
})
