// request-transformer and response-transformer through the real gateway (CLI, worker thread, sockets)
// against an upstream that echoes what it received, body included, after Kong's
// spec/03-plugins/36-request-transformer/02-access_spec.lua and spec/03-plugins/15-response-transformer:
// method, uri templates with uri_captures, headers, query (sorted, as set_query), JSON and form bodies
// both ways, a response that is not JSON passes untouched, and one past the buffer limit streams unchanged.

import t from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import { send, startGateway } from '../../helpers/gateway.ts'
import { RESPONSE_BUFFER_LIMIT } from '../../../src/proxy/body-filter.ts'

async function echoUpstream (): Promise<{ url: string, close: () => Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      if (req.url!.startsWith('/text')) {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 13 })
        res.end('{"keep":"me"}')
        return
      }
      if (req.url!.startsWith('/large')) {
        // a JSON object larger than the limit, written in pieces
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('{"pad":"')
        const piece = 'x'.repeat(64 * 1024)
        for (let sent = 0; sent <= RESPONSE_BUFFER_LIMIT; sent += piece.length) res.write(piece)
        res.end('","keep":1}')
        return
      }
      const answer = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body, drop: 1, old: 'o', list: ['a'] })
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-upstream': 'yes', 'content-length': Buffer.byteLength(answer) })
      res.end(answer)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }) }
}

interface Echo { method: string, url: string, headers: Record<string, string>, body: string }

t.test('request-transformer and response-transformer', async (t) => {
  const upstream = await echoUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({
    services: [{
      name: 'backend',
      url: upstream.url,
      routes: [
        {
          name: 'req',
          paths: ['/req'],
          plugins: [{
            name: 'request-transformer',
            config: {
              http_method: 'POST',
              remove: { headers: ['x-secret'], querystring: ['drop'], body: ['password'] },
              rename: { headers: ['x-old:x-new'], querystring: ['a:b'], body: ['user:username'] },
              replace: { headers: ['x-replace:new'], querystring: ['r:$(headers.x_user)'], body: ['role:admin'] },
              add: { headers: ['x-user-copy:$(headers["x-user"])', 'x-q:$(query_params.q or \'none\')'], querystring: ['added:1'], body: ['from:$(query_params.q)'] },
              append: { headers: ['x-list:two'], body: ['tags:t2'] }
            }
          }]
        },
        {
          name: 'captures',
          paths: ['~/users/(?<id>\\d+)/(\\w+)$'],
          plugins: [{ name: 'request-transformer', config: { replace: { uri: '/profile/$(uri_captures.id)/$(uri_captures[2])' } } }]
        },
        {
          name: 'res',
          paths: ['/res'],
          plugins: [{
            name: 'response-transformer',
            config: {
              remove: { headers: ['x-upstream'], json: ['drop', 'headers'] },
              rename: { json: ['old:new'] },
              replace: { json: ['method:PATCHED'] },
              add: { headers: ['x-added:1'], json: ['count:3', 'on:true'], json_types: ['number', 'boolean'] },
              append: { json: ['list:b'] }
            }
          }]
        },
        {
          name: 'res-headers',
          paths: ['/res-headers'],
          plugins: [{ name: 'response-transformer', config: { rename: { headers: ['x-upstream:x-renamed'] } } }]
        }
      ]
    }]
  })
  t.teardown(() => gateway.stop())

  t.test('method, headers, query and JSON body', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/req?q=hi&drop=1&a=x&r=old`, {
      method: 'GET',
      headers: { 'content-type': 'application/json', 'x-secret': 's', 'x-old': 'o', 'x-replace': 'old', 'x-user': 'alice', 'x-list': 'one' },
      body: JSON.stringify({ user: 'bob', password: 'p', role: 'user', tags: 't1' })
    })
    t.equal(reply.status, 200)
    const echo = reply.json<Echo>()
    t.equal(echo.method, 'POST')
    t.equal(echo.url, '/?added=1&b=x&q=hi&r=alice', 'query: remove, rename, replace from a template, add; sorted')
    t.equal(echo.headers['x-secret'], undefined)
    t.equal(echo.headers['x-new'], 'o')
    t.equal(echo.headers['x-old'], undefined)
    t.equal(echo.headers['x-replace'], 'new')
    t.equal(echo.headers['x-user-copy'], 'alice')
    t.equal(echo.headers['x-q'], 'hi')
    t.equal(echo.headers['x-list'], 'one, two')
    t.same(JSON.parse(echo.body), { username: 'bob', role: 'admin', tags: ['t1', 't2'], from: 'hi' })
    t.equal(echo.headers['content-length'], String(Buffer.byteLength(echo.body)))
  })

  t.test('form body', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/req?q=z`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=bob&password=p&keep=a%20b'
    })
    const body = new URLSearchParams(reply.json<Echo>().body)
    t.equal(body.get('username'), 'bob')
    t.equal(body.get('password'), null)
    t.equal(body.get('keep'), 'a b')
    t.equal(body.get('from'), 'z')
  })

  t.test('uri from regex captures', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/users/42/settings?x=1`)
    t.equal(reply.json<Echo>().url, '/profile/42/settings?x=1')
  })

  t.test('response headers and JSON body', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/res`)
    t.equal(reply.status, 200)
    t.equal(reply.headers['x-upstream'], undefined)
    t.equal(reply.headers['x-added'], '1')
    t.equal(reply.headers['content-length'], undefined, 'the body changed: sent chunked, as Kong')
    t.equal(reply.headers['transfer-encoding'], 'chunked')
    const body = reply.json()
    t.equal(body.drop, undefined)
    t.equal(body.headers, undefined)
    t.equal(body.new, 'o')
    t.equal(body.old, undefined)
    t.equal(body.method, 'PATCHED')
    t.equal(body.count, 3)
    t.equal(body.on, true)
    t.same(body.list, ['a', 'b'])
  })

  t.test('a headers-only config keeps streaming with Content-Length', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/res-headers`)
    t.equal(reply.headers['x-renamed'], 'yes')
    t.equal(reply.headers['content-length'], String(reply.body.length))
  })

  t.test('a response that is not JSON passes untouched', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/res/text`)
    t.equal(reply.text, '{"keep":"me"}')
    t.equal(reply.headers['content-length'], '13')
  })

  t.test('a JSON response past the buffer limit streams unchanged', async (t) => {
    const reply = await send(`${gateway.proxyUrl}/res/large`)
    t.equal(reply.status, 200)
    t.ok(reply.body.length > RESPONSE_BUFFER_LIMIT)
    const tail = reply.text.slice(-12)
    t.equal(tail, '","keep":1}'.padStart(12, 'x'), 'the body is unchanged')
    const line = await gateway.waitForLog((l) => l.event === 'response_body_not_filtered')
    t.equal(line.level, 'warn', 'logged once per worker')
  })
})
