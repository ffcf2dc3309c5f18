// One DNS question to the configured servers: UDP first, TCP when the answer comes back truncated (RFC 7766),
// each attempt on the next server in turn, as lua-resty-dns retransmits (kong/resty/dns/client.lua init:
// `retrans` attempts of `timeout` ms). Every attempt uses a fresh socket, so a fresh source port, and a
// random id; an answer whose id or question does not match is ignored (a spoofing attempt or a late reply).

import { createSocket, type Socket } from 'node:dgram'
import { randomInt } from 'node:crypto'
import { connect, isIP } from 'node:net'
import dnsPacket, { type DecodedPacket } from 'dns-packet'
import type { DnsRecordType, DnsServerAddress } from './types.ts'

export interface QueryOptions {
  readonly servers: readonly DnsServerAddress[]
  /** ms to wait for one attempt's answer */
  readonly timeoutMs: number
  /** attempts in all, spread over the servers in turn */
  readonly attempts: number
}

/** What a server answered: its rcode (NOERROR, NXDOMAIN, SERVFAIL, ...) and the packet. */
export interface QueryResponse {
  readonly rcode: string
  readonly packet: DecodedPacket
}

function encodeQuery (id: number, name: string, type: DnsRecordType): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] })
}

function answers (packet: DecodedPacket, id: number, name: string, type: DnsRecordType): boolean {
  const question = packet.questions?.[0]
  return packet.flag_qr && packet.id === id && question !== undefined && question.type === type &&
    question.name.toLowerCase() === name.toLowerCase()
}

function decode (buffer: Buffer): DecodedPacket | null {
  try {
    return dnsPacket.decode(buffer)
  } catch {
    return null
  }
}

function udpAttempt (server: DnsServerAddress, request: Buffer, id: number, name: string, type: DnsRecordType, timeoutMs: number): Promise<DecodedPacket | null> {
  return new Promise((resolve) => {
    const socket: Socket = createSocket(isIP(server.address) === 6 ? 'udp6' : 'udp4')
    let done = false
    const finish = (packet: DecodedPacket | null): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.close()
      resolve(packet)
    }
    const timer = setTimeout(finish, timeoutMs, null)
    socket.on('error', () => finish(null))
    socket.on('message', (message) => {
      const packet = decode(message)
      if (packet !== null && answers(packet, id, name, type)) finish(packet)
    })
    // a connected socket takes datagrams from that server only
    socket.connect(server.port, server.address, () => socket.send(request))
  })
}

function tcpAttempt (server: DnsServerAddress, request: Buffer, id: number, name: string, type: DnsRecordType, timeoutMs: number): Promise<DecodedPacket | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.address, port: server.port })
    let received = Buffer.alloc(0)
    let done = false
    const finish = (packet: DecodedPacket | null): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(packet)
    }
    const timer = setTimeout(finish, timeoutMs, null)
    socket.on('error', () => finish(null))
    socket.on('end', () => finish(null))
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return
      const packet = decode(received.subarray(2, 2 + received.readUInt16BE(0)))
      finish(packet !== null && answers(packet, id, name, type) ? packet : null)
    })
    // RFC 1035 section 4.2.2: the message behind a two-byte length
    socket.write(Buffer.concat([Buffer.from([request.length >> 8, request.length & 0xff]), request]))
  })
}

/** The first answer any attempt gets, or null when every attempt timed out or failed on the network. */
export async function queryServers (name: string, type: DnsRecordType, options: QueryOptions): Promise<QueryResponse | null> {
  const { servers } = options
  if (servers.length === 0) return null
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    const server = servers[attempt % servers.length]
    const id = randomInt(65536)
    const request = encodeQuery(id, name, type)
    let packet = await udpAttempt(server, request, id, name, type, options.timeoutMs)
    if (packet?.flag_tc === true) packet = await tcpAttempt(server, request, id, name, type, options.timeoutMs)
    if (packet !== null) return { rcode: (packet as DecodedPacket & { rcode: string }).rcode, packet }
  }
  return null
}
