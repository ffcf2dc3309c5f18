// A DNS server for tests: UDP (and TCP on the same port) on 127.0.0.1, answering from a table the test fills
// per name and type, with chosen rcodes and TTLs. A question it has no entry for gets NXDOMAIN. It counts the
// questions it receives, so a test can tell a cached answer from a new query.

import { createSocket } from 'node:dgram'
import { createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import dnsPacket, { type Answer, type Packet } from 'dns-packet'
import { DnsResolver, type DnsResolverOptions } from '../../src/dns/resolver.ts'
import { parseHostsFile } from '../../src/dns/hosts-file.ts'

export interface StubAnswer {
  readonly rcode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED'
  readonly answers?: readonly Answer[]
  /** send nothing back: the client's attempt times out */
  readonly drop?: boolean
  /** UDP replies carry only the TC flag; the answer comes over TCP */
  readonly truncate?: boolean
}

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const

export class DnsStub {
  readonly port: number
  readonly #udp: ReturnType<typeof createSocket>
  readonly #tcp: Server
  readonly #table = new Map<string, StubAnswer>()
  readonly #counts = new Map<string, number>()
  readonly #tcpSockets = new Set<Socket>()

  constructor (udp: ReturnType<typeof createSocket>, tcp: Server, port: number) {
    this.#udp = udp
    this.#tcp = tcp
    this.port = port
    udp.on('message', (message, from) => {
      const reply = this.#reply(message, true)
      if (reply !== null) udp.send(reply, from.port, from.address)
    })
    tcp.on('connection', (socket) => {
      this.#tcpSockets.add(socket)
      socket.on('close', () => this.#tcpSockets.delete(socket))
      socket.on('data', (chunk) => {
        const reply = this.#reply(chunk.subarray(2), false)
        if (reply !== null) socket.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]))
      })
    })
  }

  /** `ip:port` for dns_resolver */
  get server (): { address: string, port: number } {
    return { address: '127.0.0.1', port: this.port }
  }

  set (name: string, type: string, answer: StubAnswer): void {
    this.#table.set(`${type}:${name.toLowerCase()}`, answer)
  }

  /** questions received for name and type (over UDP and TCP together) */
  count (name: string, type: string): number {
    return this.#counts.get(`${type}:${name.toLowerCase()}`) ?? 0
  }

  get total (): number {
    let sum = 0
    for (const n of this.#counts.values()) sum += n
    return sum
  }

  #reply (message: Buffer, udp: boolean): Buffer | null {
    const query = dnsPacket.decode(message)
    const question = query.questions?.[0]
    if (question === undefined) return null
    const key = `${question.type}:${question.name.toLowerCase()}`
    if (udp || this.#table.get(key)?.truncate !== true) this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1)
    const answer = this.#table.get(key) ?? { rcode: 'NXDOMAIN' }
    if (answer.drop === true) return null
    const truncated = udp && answer.truncate === true
    const packet: Packet = {
      type: 'response',
      id: query.id,
      flags: (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | dnsPacket.RECURSION_AVAILABLE | RCODES[answer.rcode ?? 'NOERROR'],
      questions: query.questions,
      answers: truncated ? [] : [...(answer.answers ?? [])],
    }
    return dnsPacket.encode(packet)
  }

  async close (): Promise<void> {
    for (const socket of this.#tcpSockets) socket.destroy()
    this.#udp.close()
    this.#tcp.close()
    await once(this.#tcp, 'close')
  }
}

export async function startDnsStub (): Promise<DnsStub> {
  // TCP first: a TCP port the kernel picks is free for TCP, where the suite's many client connections
  // also take ephemeral ports (a UDP port picked first was once one of theirs: EADDRINUSE); the same
  // number is then tried for UDP, where few sockets compete, and the pair picked again if it is taken
  for (let attempt = 1; ; attempt++) {
    const tcp = createServer()
    tcp.listen(0, '127.0.0.1')
    await once(tcp, 'listening')
    const port = (tcp.address() as { port: number }).port
    const udp = createSocket('udp4')
    if (await bindUdp(udp, port)) return new DnsStub(udp, tcp, port)
    try { udp.close() } catch { /* never bound */ }
    await new Promise((resolve) => tcp.close(resolve))
    if (attempt === 5) throw new Error(`no port free for both TCP and UDP after ${attempt} tries`)
  }
}

async function bindUdp (udp: ReturnType<typeof createSocket>, port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const onError = (): void => { udp.off('listening', onListening); resolve(false) }
    const onListening = (): void => { udp.off('error', onError); resolve(true) }
    udp.once('error', onError)
    udp.once('listening', onListening)
    udp.bind(port, '127.0.0.1')
  })
}

export function a (name: string, address: string, ttl: number): Answer {
  return { type: 'A', name, ttl, class: 'IN', data: address }
}

export function aaaa (name: string, address: string, ttl: number): Answer {
  return { type: 'AAAA', name, ttl, class: 'IN', data: address }
}

export function cname (name: string, target: string, ttl: number): Answer {
  return { type: 'CNAME', name, ttl, class: 'IN', data: target }
}

export function srv (name: string, target: string, port: number, weight: number, priority: number, ttl: number): Answer {
  return { type: 'SRV', name, ttl, class: 'IN', data: { target, port, weight, priority } }
}

/** A resolver that asks only `stub`, with Kong's dns_* defaults, short timeouts and no hosts file; `options` override. */
export function stubResolver (stub: DnsStub, options: Partial<DnsResolverOptions> = {}): DnsResolver {
  return new DnsResolver({
    servers: [stub.server],
    hosts: parseHostsFile(''),
    order: ['LAST', 'SRV', 'A', 'CNAME'],
    validTtl: null,
    staleTtl: 3600,
    notFoundTtl: 30,
    errorTtl: 1,
    cacheSize: 100,
    noSync: false,
    timeoutMs: 100,
    attempts: 2,
    ...options,
  })
}
