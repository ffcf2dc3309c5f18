// Where the caller's client id and secret are found (Kong's openid-connect arguments.lua get_credentials), and hide_credentials.

import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import { request } from 'undici'
import {
  bodyCredentials, bodyKind, findClientCredentials, headerCredentials, isBase64, parseBasicAuthorization,
  queryCredentials
} from '../../../src/plugins/openid-connect/worker/credentials.ts'
import type { ClientCredentials, CredentialLocation } from '../../../src/plugins/openid-connect/worker/credentials.ts'
import { hideBodyCredentials, hideCredentials } from '../../../src/plugins/openid-connect/worker/hide-credentials.ts'
import {
  formUrlDecode, formUrlEncode, parseCredentialFields, removeCredentialFields
} from '../../../src/plugins/openid-connect/worker/form-urlencoded.ts'
import type { ProxyContext } from '../../../src/plugins/types.ts'

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

t.test('Basic authorization parsing follows Kong', async (t) => {
  const cases: Array<[string, [string, string] | null, string]> = [
    [`Basic ${b64('id:secret')}`, ['id', 'secret'], 'plain'],
    [`basic ${b64('id:secret')}`, ['id', 'secret'], 'scheme lower case'],
    [`BASIC ${b64('id:secret')}`, ['id', 'secret'], 'scheme upper case'],
    [`Basic\t${b64('id:secret')}`, ['id', 'secret'], 'tab after the scheme'],
    [`  Basic   ${b64('id:secret')}  `, ['id', 'secret'], 'extra spaces'],
    [`Basic ${b64('id:sec:ret')}`, ['id', 'sec:ret'], 'split at the first colon'],
    [`Basic ${b64(':a:b')}`, [':a', 'b'], 'a colon at index 0 does not split (Kong searches from the 2nd char)'],
    [`Basic ${b64(':secret')}`, null, 'only a leading colon: no id'],
    [`Basic ${b64('idsecret')}`, null, 'no colon'],
    [`Basic ${b64('id:secret1').replace(/=+$/, '')}`, ['id', 'secret1'], 'unpadded base64'],
    ['Basic id:secret', ['id', 'secret'], 'not base64: the raw value is used'],
    ['Basic abc!def', null, 'not base64 and no colon'],
    ['Basic aaaaa', null, '4n+1 characters is not base64; raw has no colon'],
    ['Basic', null, 'no value'],
    ['Basicx aWQ6c2VjcmV0', null, 'another scheme that starts like Basic'],
    ['Bearer aWQ6c2VjcmV0', null, 'another scheme']
  ]
  for (const [header, expected, name] of cases) t.same(parseBasicAuthorization(header), expected, name)
  t.same(parseBasicAuthorization(`Basic ${b64('idé:sécret')}`), ['idé', 'sécret'], 'UTF-8')
})

t.test('isBase64 accepts what ngx.decode_base64 accepts', async (t) => {
  for (const ok of ['aWQ=', 'aWQ', 'YQ==', 'ab+/', 'abcd']) t.ok(isBase64(ok), ok)
  for (const bad of ['', 'a', 'abcde', 'ab-_', 'a=b=', 'ab===', 'ab c']) t.notOk(isBase64(bad), bad)
})

t.test('header credentials: Grant-Type naming another grant skips them; empty parts are absent', async (t) => {
  const authorization = `Basic ${b64('id:secret')}`
  const found = { clientId: 'id', clientSecret: 'secret', location: 'header' }
  t.same(headerCredentials({ authorization }), found)
  t.same(headerCredentials({ authorization, 'grant-type': 'client_credentials' }), found)
  t.equal(headerCredentials({ authorization, 'grant-type': 'password' }), null)
  t.equal(headerCredentials({ authorization, 'x-grant-type': 'password' }), null)
  t.equal(headerCredentials({ authorization, grant_type: 'authorization_code' }), null)
  t.equal(headerCredentials({ authorization: `Basic ${b64('id:')}` }), null, 'empty secret')
  t.equal(headerCredentials({}), null)
})

t.test('query credentials', async (t) => {
  t.same(queryCredentials('client_id=a&client_secret=b'), { clientId: 'a', clientSecret: 'b', location: 'query' })
  t.same(queryCredentials('x=1&client_secret=c+d&client_id=a%2Bb&y'), { clientId: 'a+b', clientSecret: 'c d', location: 'query' })
  t.same(queryCredentials('client_id=a&client_secret=b&grant_type=client_credentials')?.clientId, 'a')
  t.equal(queryCredentials('client_id=a&client_secret=b&grant_type=password'), null, 'another grant')
  t.equal(queryCredentials('client_id=a'), null, 'no secret')
  t.equal(queryCredentials('client_id=a&client_secret='), null, 'empty secret')
  t.equal(queryCredentials(''), null)
  t.same(queryCredentials('client_id=first&client_id=second&client_secret=s')?.clientId, 'first', 'first value wins')
  t.same(queryCredentials('client_id=a&client_secret=%zz')?.clientSecret, '%zz', 'a malformed escape stays raw')
  t.same(queryCredentials('client%5Fid=a&client_secret=b')?.clientId, 'a', 'encoded names')
})

t.test('body kinds and body credentials', async (t) => {
  t.equal(bodyKind('application/x-www-form-urlencoded; charset=utf-8'), 'form')
  t.equal(bodyKind('Application/JSON'), 'json')
  t.equal(bodyKind('application/json; charset=utf-8'), 'json')
  t.equal(bodyKind('text/plain'), null)
  t.equal(bodyKind('multipart/form-data; boundary=x'), null)
  t.equal(bodyKind(undefined), null)

  const form = (text: string): ClientCredentials | null => bodyCredentials('form', Buffer.from(text))
  const json = (value: unknown): ClientCredentials | null => bodyCredentials('json', Buffer.from(JSON.stringify(value)))
  t.same(form('client_id=a&client_secret=b%26c'), { clientId: 'a', clientSecret: 'b&c', location: 'body' })
  t.equal(form('client_id=a&client_secret=b&grant_type=password'), null)
  t.equal(form(''), null)
  t.same(json({ client_id: 'a', client_secret: 'b' }), { clientId: 'a', clientSecret: 'b', location: 'body' })
  t.same(json({ client_id: 'a', client_secret: 'b', grant_type: 'client_credentials' })?.clientId, 'a')
  t.equal(json({ client_id: 'a', client_secret: 'b', grant_type: 'password' }), null)
  t.equal(json({ client_id: 1, client_secret: 'b' }), null, 'not a string')
  t.equal(json([{ client_id: 'a', client_secret: 'b' }]), null, 'not an object')
  t.equal(bodyCredentials('json', Buffer.from('{"client_id":')), null, 'invalid JSON')
})

// A ProxyContext over a real IncomingMessage: only what credential lookup and hide_credentials touch.
class RequestView implements ProxyContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly startedAt = 0
  readonly requestId = 'test'
  readonly route = null as unknown as ProxyContext['route']
  readonly service = null
  readonly path: string
  query: string
  method = 'GET'
  upstreamPath = '/'
  readonly upstreamHeaders: Record<string, string | string[]>
  shared = null
  readonly responded = false
  metricsFamilies = 0
  readonly consumer = null
  readonly credential = null
  bodyReads = 0
  #body: Promise<Buffer> | null = null

  constructor (req: IncomingMessage, res: ServerResponse) {
    this.req = req
    this.res = res
    const [path, query = ''] = (req.url ?? '/').split('?', 2)
    this.path = path
    this.query = query
    this.upstreamHeaders = { ...req.headers } as Record<string, string | string[]>
  }

  exit (): void { throw new Error('not used') }
  authenticate (): void { throw new Error('not used') }
  respond (): void { throw new Error('not used') }
  replaceBody (): void { throw new Error('not used') }
  readBody (): Promise<Buffer> {
    this.bodyReads++
    this.#body ??= readAll(this.req)
    return this.#body
  }
}

async function readAll (req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

interface LookupResult { sync: boolean, found: ClientCredentials | null, bodyReads: number, body: string }

async function lookupServer (t: Test): Promise<(locations: CredentialLocation[], init: { path?: string, headers?: Record<string, string>, body?: string }) => Promise<LookupResult>> {
  let locations: CredentialLocation[] = []
  const server = createServer((req, res) => {
    const ctx = new RequestView(req, res)
    const lookup = findClientCredentials(ctx, locations)
    const sync = !(lookup instanceof Promise)
    Promise.resolve(lookup).then(async (found) => {
      const bodyReads = ctx.bodyReads
      const body = (await ctx.readBody()).toString()
      res.end(JSON.stringify({ sync, found, bodyReads, body }))
    }, (err: Error) => { res.statusCode = 500; res.end(err.message) })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close(); server.closeAllConnections() })
  const { port } = server.address() as { port: number }
  return async (which, init) => {
    locations = which
    const response = await request(`http://127.0.0.1:${port}${init.path ?? '/'}`, {
      method: init.body === undefined ? 'GET' : 'POST', headers: init.headers, body: init.body
    })
    return await response.body.json() as LookupResult
  }
}

t.test('findClientCredentials: configured order, sync unless a body is read, body kept', async (t) => {
  const lookup = await lookupServer(t)
  const all: CredentialLocation[] = ['header', 'query', 'body']
  const authorization = `Basic ${b64('hid:hsecret')}`
  const query = '/x?client_id=qid&client_secret=qsecret'
  const jsonBody = { 'content-type': 'application/json' }

  let r = await lookup(all, { path: query, headers: { authorization } })
  t.same([r.sync, r.found?.location, r.found?.clientId], [true, 'header', 'hid'], 'header first')
  r = await lookup(['query', 'header'], { path: query, headers: { authorization } })
  t.same([r.sync, r.found?.location, r.found?.clientId], [true, 'query', 'qid'], 'query first')
  r = await lookup(['header'], { path: query })
  t.same([r.sync, r.found], [true, null], 'query not enabled')

  const body = JSON.stringify({ client_id: 'bid', client_secret: 'bsecret', other: 1 })
  r = await lookup(all, { headers: jsonBody, body })
  t.same([r.sync, r.found?.location, r.found?.clientId, r.body], [false, 'body', 'bid', body], 'JSON body, still readable')
  r = await lookup(['body', 'header'], {
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: 'a=1'
  })
  t.same([r.sync, r.found?.location, r.bodyReads], [false, 'header', 1], 'body without credentials, then header')
  r = await lookup(['body', 'header'], { headers: { 'content-type': 'text/plain' }, body })
  t.same([r.sync, r.found, r.bodyReads], [true, null, 0], 'a body of another type is not read')
  r = await lookup(['header', 'query'], { headers: jsonBody, body })
  t.same([r.sync, r.found, r.bodyReads], [true, null, 0], 'body not enabled: not read')
})

t.test('hide_credentials', async (t) => {
  const ctx = {
    query: 'a=1&client_id=x&client_secret=y&grant_type=client_credentials&b=2',
    upstreamHeaders: { authorization: 'Basic x', 'grant-type': 'client_credentials', 'x-grant-type': 'g', grant_type: 'g', other: 'kept' }
  } as unknown as ProxyContext
  hideCredentials(ctx, 'query')
  t.equal(ctx.query, 'a=1&b=2')
  t.same(ctx.upstreamHeaders, { authorization: 'Basic x', other: 'kept' }, 'grant type headers always go')
  hideCredentials(ctx, 'header')
  t.same(ctx.upstreamHeaders, { other: 'kept' })

  const form = Buffer.from('client_id=x&keep=1&client_secret=y')
  t.equal(hideBodyCredentials('form', form).toString(), 'keep=1')
  const untouched = Buffer.from('keep=1')
  t.equal(hideBodyCredentials('form', untouched), untouched, 'same buffer when nothing to hide')
  t.same(JSON.parse(hideBodyCredentials('json', Buffer.from('{"client_id":"x","client_secret":"y","keep":1}')).toString()), { keep: 1 })
  const invalid = Buffer.from('{nope')
  t.equal(hideBodyCredentials('json', invalid), invalid)
})

t.test('form-urlencoded helpers', async (t) => {
  for (const value of ['a b+c%d:e/f*~!\'()', 'é&=?#', '']) {
    t.equal(formUrlEncode(value), new URLSearchParams({ '': value }).toString().slice(1), JSON.stringify(value))
    t.equal(formUrlDecode(formUrlEncode(value)), value, 'round trip')
  }
  t.equal(formUrlEncode('sec+ret/=%'), 'sec%2Bret%2F%3D%25')
  t.same(parseCredentialFields('grant_type=x&client_id'), { clientId: null, clientSecret: null, grantType: 'x' })
  t.equal(removeCredentialFields('a=1&&client_id=2'), 'a=1&', 'only credential pairs are removed')
  t.equal(removeCredentialFields('a=1&&b'), 'a=1&&b', 'unchanged text when nothing matches')
})
