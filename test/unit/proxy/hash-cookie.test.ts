// The new hash cookie added to response headers as Kong's balancer.set_cookie adds it
// (kong/runloop/balancer/init.lua): the first Set-Cookie of the same name is replaced, others are kept.

import t from 'tap'
import { addHashCookie, addHashCookieRaw } from '../../../src/proxy/hash-cookie.ts'

const COOKIE = 'session=u-1; Path=/; Same-Site=Lax; HttpOnly'

t.test('raw upstream headers', async (t) => {
  const none = ['content-type', 'text/plain']
  addHashCookieRaw(none, COOKIE)
  t.strictSame(none, ['content-type', 'text/plain', 'set-cookie', COOKIE], 'added')
  const same = ['Set-Cookie', 'a=1', 'Set-Cookie', 'session=old', 'set-cookie', 'session=older']
  addHashCookieRaw(same, COOKIE)
  t.strictSame(same, ['Set-Cookie', 'a=1', 'Set-Cookie', COOKIE, 'set-cookie', 'session=older'], 'the first of the same name replaced')
  const prefixOnly = ['set-cookie', 'sessionid=x', 'x-set-cookie', 'session=y']
  addHashCookieRaw(prefixOnly, COOKIE)
  t.strictSame(prefixOnly.slice(-2), ['set-cookie', COOKIE], 'sessionid= and other headers are not the same cookie')
  const otherCase = ['set-cookie', 'SESSION=x']
  addHashCookieRaw(otherCase, COOKIE)
  t.equal(otherCase.length, 4, 'the name compares case-sensitively, as Kong\'s prefix check')
})

t.test('the gateway\'s own headers', async (t) => {
  const empty: Record<string, string | string[]> = {}
  addHashCookie(empty, COOKIE)
  t.strictSame(empty, { 'set-cookie': COOKIE })
  const other: Record<string, string | string[]> = { 'set-cookie': 'a=1' }
  addHashCookie(other, COOKIE)
  t.strictSame(other, { 'set-cookie': ['a=1', COOKIE] })
  const same: Record<string, string | string[]> = { 'set-cookie': 'session=old' }
  addHashCookie(same, COOKIE)
  t.strictSame(same, { 'set-cookie': [COOKIE] })
  const list: Record<string, string | string[]> = { 'set-cookie': ['a=1', 'session=old', 'session=older'] }
  addHashCookie(list, COOKIE)
  t.strictSame(list, { 'set-cookie': ['a=1', COOKIE, 'session=older'] })
})
