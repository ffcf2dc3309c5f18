// The resolver's lookup for net.connect and undici: a name only the stub DNS server knows reaches a real TCP
// server, a cached name costs no further query, a name that does not resolve fails with the resolver's code.

import t from 'tap'
import { connect, createServer, type Socket } from 'node:net'
import { once } from 'node:events'
import { Client } from 'undici'
import { createLookup } from '../../../src/dns/lookup.ts'
import { a, startDnsStub, stubResolver } from '../../helpers/dns-stub.ts'

const stub = await startDnsStub()
t.teardown(() => stub.close())

const sockets = new Set<Socket>()
const server = createServer((socket) => {
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
  socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'))
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const { port } = server.address() as { port: number }
t.teardown(() => {
  for (const socket of sockets) socket.destroy()
  server.close()
})

const resolver = stubResolver(stub)
t.teardown(() => resolver.close())
const lookup = createLookup(resolver)

stub.set('upstream.lookup.test', 'A', { answers: [a('upstream.lookup.test', '127.0.0.1', 600)] })

async function connectTo (host: string, autoSelectFamily: boolean): Promise<string> {
  const socket = connect({ host, port, lookup, autoSelectFamily })
  await once(socket, 'connect')
  const address = socket.remoteAddress ?? ''
  socket.destroy()
  return address
}

t.test('net.connect reaches a name only the stub knows, querying it once', async (t) => {
  t.equal(await connectTo('upstream.lookup.test', true), '127.0.0.1', 'lookup with all: true (autoSelectFamily)')
  t.equal(await connectTo('upstream.lookup.test', false), '127.0.0.1', 'lookup of one address')
  t.equal(await connectTo('UPSTREAM.lookup.test', true), '127.0.0.1')
  t.equal(stub.count('upstream.lookup.test', 'A'), 1)
})

t.test('undici connects through it', async (t) => {
  const client = new Client(`http://upstream.lookup.test:${port}`, { connect: { lookup } })
  t.teardown(() => client.close())
  const response = await client.request({ path: '/', method: 'GET' })
  t.equal(await response.body.text(), 'ok')
  t.equal(stub.count('upstream.lookup.test', 'A'), 1)
})

t.test('several addresses: successive lookups start at the next one', async (t) => {
  stub.set('many.lookup.test', 'A', { answers: [a('many.lookup.test', '127.0.0.1', 600), a('many.lookup.test', '127.0.0.2', 600)] })
  const seen: string[] = []
  for (let i = 0; i < 4; i++) {
    seen.push(await new Promise<string>((resolve, reject) => {
      lookup('many.lookup.test', {}, ((err: Error | null, address: string) => err === null ? resolve(address) : reject(err)) as never)
    }))
  }
  t.strictSame(seen, ['127.0.0.1', '127.0.0.2', '127.0.0.1', '127.0.0.2'])
})

t.test('a name that does not resolve: the connect fails with the resolver\'s code, from the cache the second time', async (t) => {
  for (let i = 0; i < 2; i++) {
    const socket = connect({ host: 'nowhere.lookup.test', port, lookup })
    const [err] = await once(socket, 'error')
    t.equal(err.code, 'DNS_NAME_NOT_FOUND')
    t.equal(err.status, 503)
  }
  t.equal(stub.count('nowhere.lookup.test', 'A'), 1)
})

t.test('a family the name has no address of', async (t) => {
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    lookup('upstream.lookup.test', { family: 6 }, ((e: NodeJS.ErrnoException | null) => resolve(e)) as never)
  })
  t.equal(err?.code, 'ENOTFOUND')
})
