// Through the real gateway: the plugin's `token_endpoint` points at an IdP that sends its headers and then
// drips the body at 1 byte/s (60 bytes: a minute), or sends a body that never ends. The caller gets the 401
// Kong answers when the token endpoint fails, the gateway closes the IdP's socket, and the same credential
// works as soon as the endpoint answers properly. Outcomes only: each exchange completes far inside tap's
// timeout; no elapsed-time assertion.

import t from 'tap'
import { assertKongUnauthorized, clientBasic, ROUTE, startOidcStack, upstreamBearer } from '../../helpers/oidc-stack.ts'
import { drip, endless, startSlowIdp } from '../../helpers/slow-idp.ts'

const TIMEOUT_MS = 2000
const DRIPPED = JSON.stringify({ access_token: 'dripped-token-value', token_type: 'Bearer' }).padEnd(60)

t.test('a dripping or endless token endpoint: 401 within the deadline, IdP socket closed', { timeout: 30_000 }, async (t) => {
  const slow = await startSlowIdp(t, '/token', endless())
  const stack = await startOidcStack(t, { plugin: { timeout: TIMEOUT_MS, token_endpoint: slow.url } })
  const authorization = clientBasic(stack.idp.clients.secret)

  const dripping = drip(DRIPPED)
  for (const [label, answer] of [['drip 1 byte/s', dripping], ['endless body', endless()]] as const) {
    slow.answer = answer
    const before = slow.requests
    const reply = await stack.proxy(ROUTE, { headers: { authorization } })
    assertKongUnauthorized(t, reply, label)
    t.equal(slow.requests, before + 1, `${label}: asked once`)
    await slow.allClosed()
    t.pass(`${label}: the gateway closed the IdP connection`)
  }
  t.equal(dripping.completed, 0, 'the dripped body was never sent to its end')
  t.equal(stack.gateway.child.exitCode, null, 'the gateway is still running')

  slow.answer = (_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end('{"access_token":"opaque-after-recovery","token_type":"Bearer","expires_in":60}')
  }
  const ok = await stack.proxy(ROUTE, { headers: { authorization } })
  t.equal(ok.status, 200, 'the same credential works once the endpoint answers')
  t.equal(upstreamBearer(ok), 'opaque-after-recovery')
})
