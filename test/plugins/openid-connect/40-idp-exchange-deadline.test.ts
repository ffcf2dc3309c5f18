// The plugin's `timeout` is a deadline for the whole IdP exchange (connect, send, headers, full body, the
// one retry), and answers are capped while they stream: for the token endpoint (requestToken) and for the
// discovery and JWKS documents (fetchIdpJson). Each IdP below would hold a per-gap timeout for a minute or
// forever; the tests assert the outcome (the error code), that the call completes well inside the tap
// timeout, and that the IdP's socket was closed. No assertion on elapsed time.

import t from 'tap'
import type { Test } from 'tap'
import { Agent } from 'undici'
import { MAX_RESPONSE_BYTES, requestToken } from '../../../src/plugins/openid-connect/worker/token-endpoint.ts'
import { fetchIdpJson, MAX_BODY_BYTES } from '../../../src/plugins/openid-connect/main/discovery-fetch.ts'
import { buildTokenRequest, createTokenRequestTemplate } from '../../../src/plugins/openid-connect/worker/token-request.ts'
import { declaredHuge, drip, endless, lateJson, resetAfter, startSlowIdp } from '../../helpers/slow-idp.ts'

const TIMEOUT_MS = 1500
// a 60-byte body at 1 byte/s: a per-gap timeout of TIMEOUT_MS never fires, the whole answer takes 60 s
const DRIPPED = JSON.stringify({ access_token: 'dripped-token-value', token_type: 'Bearer' }).padEnd(60)
// tap's timeout per test: far below the 60 s a per-gap timeout would take, far above TIMEOUT_MS
const BOUNDED = { timeout: 20_000 }

const request = buildTokenRequest(createTokenRequestTemplate({ scopes: ['openid'] }), { authorization: null, formFields: '' })

function agent (t: Test): Agent {
  const dispatcher = new Agent({ connect: { timeout: 2000 } })
  t.teardown(() => dispatcher.destroy())
  return dispatcher
}

t.test('token endpoint: headers, then the body at 1 byte/s: IDP_TIMEOUT at the deadline, socket closed', BOUNDED, async (t) => {
  t.equal(DRIPPED.length, 60)
  const answer = drip(DRIPPED)
  const idp = await startSlowIdp(t, '/token', answer)
  const err = await requestToken(agent(t), idp.url, request, TIMEOUT_MS).catch((e: unknown) => e)
  t.match(err, { name: 'IdpError', code: 'IDP_TIMEOUT', rejected: false })
  t.notOk(String((err as Error).message).includes('dripped'), 'no body in the message')
  t.equal(idp.requests, 1, 'a timeout is not retried')
  await idp.allClosed()
  t.equal(answer.completed, 0, 'the IdP connection was closed before the body was complete')
})

t.test('token endpoint: an endless body stops at MAX_RESPONSE_BYTES, socket closed', BOUNDED, async (t) => {
  const idp = await startSlowIdp(t, '/token', endless())
  await t.rejects(requestToken(agent(t), idp.url, request, 10_000), { code: 'IDP_BAD_RESPONSE', message: /too large/ })
  await idp.allClosed()
  t.pass('the IdP connection was closed')
})

t.test('token endpoint: a Content-Length over the cap is refused before any body is read', BOUNDED, async (t) => {
  // the body never comes: only the header can end this before the (long) deadline
  const idp = await startSlowIdp(t, '/token', declaredHuge(MAX_RESPONSE_BYTES + 1))
  await t.rejects(requestToken(agent(t), idp.url, request, 60_000), { code: 'IDP_BAD_RESPONSE', message: /too large/ })
  await idp.allClosed()
  t.pass('the IdP connection was closed')
})

t.test('token endpoint: an error status with a dripping body is IDP_STATUS, the body is not read to its end', BOUNDED, async (t) => {
  const answer = drip(DRIPPED, 1000, 503)
  const idp = await startSlowIdp(t, '/token', answer)
  await t.rejects(requestToken(agent(t), idp.url, request, TIMEOUT_MS), { code: 'IDP_STATUS', rejected: false })
  await idp.allClosed()
  t.equal(answer.completed, 0, 'the unread body does not keep the IdP connection open to its end')
})

t.test('token endpoint: the retry after a failed connection gets what is left of the deadline, not a new one', BOUNDED, async (t) => {
  // attempt 1 is reset after 2/3 of the deadline; attempt 2 would answer after another 2/3: in time for a
  // fresh per-attempt timeout, too late for the caller's deadline
  let n = 0
  const idp = await startSlowIdp(t, '/token', (req, res, timers) => {
    n++
    if (n === 1) resetAfter(TIMEOUT_MS * 2 / 3)(req, res, timers)
    else lateJson(TIMEOUT_MS * 2 / 3, { access_token: 'late', token_type: 'Bearer' })(req, res, timers)
  })
  await t.rejects(requestToken(agent(t), idp.url, request, TIMEOUT_MS), { code: 'IDP_TIMEOUT' })
  t.equal(idp.requests, 2, 'the transport failure was retried')
  await idp.allClosed()
})

t.test('discovery and JWKS: a dripping document is IDP_TIMEOUT at the deadline, socket closed', BOUNDED, async (t) => {
  for (const kind of ['discovery', 'jwks'] as const) {
    const answer = drip(DRIPPED)
    const idp = await startSlowIdp(t, `/${kind}`, answer)
    await t.rejects(fetchIdpJson(agent(t), idp.url, kind, TIMEOUT_MS), { name: 'IdpError', code: 'IDP_TIMEOUT' }, kind)
    await idp.allClosed()
    t.equal(answer.completed, 0, `${kind}: the IdP connection was closed before the body was complete`)
  }
})

t.test('discovery and JWKS: endless or declared-huge documents stop at the cap, socket closed', BOUNDED, async (t) => {
  for (const kind of ['discovery', 'jwks'] as const) {
    for (const [label, answer] of [['endless', endless()], ['content-length', declaredHuge(MAX_BODY_BYTES + 1)]] as const) {
      const idp = await startSlowIdp(t, `/${kind}`, answer)
      await t.rejects(fetchIdpJson(agent(t), idp.url, kind, 60_000), { code: 'IDP_BAD_RESPONSE', message: /larger than/ }, `${kind} ${label}`)
      await idp.allClosed()
      t.pass(`${kind} ${label}: the IdP connection was closed`)
    }
  }
})

t.test('discovery: an error status with a dripping body is IDP_STATUS, socket closed', BOUNDED, async (t) => {
  const answer = drip(DRIPPED, 1000, 500)
  const idp = await startSlowIdp(t, '/discovery', answer)
  await t.rejects(fetchIdpJson(agent(t), idp.url, 'discovery', TIMEOUT_MS), { code: 'IDP_STATUS' })
  await idp.allClosed()
  t.equal(answer.completed, 0, 'the IdP connection was closed before the body was complete')
})
