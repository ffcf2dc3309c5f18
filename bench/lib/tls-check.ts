// Before any load, each TLS scenario's subject is checked the way its load will reach it: a handshake
// offering what the load's client offers (ALPN h2 for the HTTP/2 scenarios, http/1.1 otherwise) and one
// request answered 200. A gateway and its floor must negotiate the same protocol version, cipher and ALPN
// protocol, or `tls / floor-tls` would compare two different amounts of cryptography; the negotiated
// parameters are logged, so a results reader knows what was measured.

import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { connect as h2Connect } from 'node:http2'
import { request as httpsRequest } from 'node:https'
import { once } from 'node:events'
import type { Environment } from './environment.ts'
import { subjectOf } from './measure.ts'
import type { Scenario } from './scenarios.ts'

interface Negotiated {
  readonly protocol: string | null
  readonly cipher: string
  readonly alpn: string | false | null
}

/** Each TLS scenario of the gateway and the floor scenarios it is compared with. */
const FLOOR_OF: ReadonlyArray<readonly [string, string]> = [
  ['tls', 'floor-tls'], ['h2', 'floor-h2'], ['tls-handshake', 'floor-tls-handshake'], ['tls', 'floor-tls-kong'], ['h2', 'floor-h2-kong']
]
const TLS_FLOORS: ReadonlySet<string> = new Set(['floor-tls', 'floor-h2', 'floor-tls-kong', 'floor-h2-kong'])

export function isTlsScenario (s: Scenario): boolean {
  return s.listener !== undefined || TLS_FLOORS.has(s.target)
}

export async function checkTlsScenarios (env: Environment, scenarios: readonly Scenario[], workers: number, log: (line: string) => void): Promise<void> {
  const seen = new Map<string, Negotiated>()
  for (const s of scenarios.filter(isTlsScenario)) {
    const url = new URL(subjectOf(env, s, workers).url)
    const h2 = s.driver === 'h2'
    const negotiated = await handshake(url, h2)
    if (h2 && negotiated.alpn !== 'h2') throw new Error(`${s.name}: ALPN ${String(negotiated.alpn)} negotiated, not h2`)
    const status = h2 ? await h2Status(url) : await httpsStatus(url)
    if (status !== 200) throw new Error(`${s.name}: ${url.href} answered ${status}, not 200`)
    seen.set(s.name, negotiated)
  }
  for (const [name, floor] of FLOOR_OF) {
    const a = seen.get(name)
    const b = seen.get(floor)
    if (a === undefined || b === undefined) continue
    if (a.protocol !== b.protocol || a.cipher !== b.cipher || a.alpn !== b.alpn) {
      throw new Error(`${name} negotiated ${describe(a)} but ${floor} ${describe(b)}: their ratio would compare different TLS work`)
    }
  }
  if (seen.size > 0) log(`TLS negotiated: ${[...seen].map(([name, n]) => `${name} ${describe(n)}`).join('; ')}`)
}

function describe (n: Negotiated): string {
  return `${n.protocol ?? '?'} ${n.cipher} ALPN ${n.alpn === false || n.alpn === null ? 'none' : n.alpn}`
}

async function handshake (url: URL, h2: boolean): Promise<Negotiated> {
  const socket: TLSSocket = tlsConnect({
    host: url.hostname,
    port: Number(url.port),
    rejectUnauthorized: false,
    ALPNProtocols: h2 ? ['h2', 'http/1.1'] : ['http/1.1']
  })
  try {
    await once(socket, 'secureConnect')
    return { protocol: socket.getProtocol(), cipher: socket.getCipher().name, alpn: socket.alpnProtocol }
  } finally {
    socket.destroy()
  }
}

async function httpsStatus (url: URL): Promise<number> {
  const req = httpsRequest(url, { agent: false, rejectUnauthorized: false })
  req.end()
  const [res] = await once(req, 'response')
  res.resume()
  return res.statusCode
}

async function h2Status (url: URL): Promise<number> {
  const session = h2Connect(url.origin, { rejectUnauthorized: false })
  try {
    // rejects on the session's 'error' (a refused port, a failed handshake)
    await once(session, 'connect')
    const stream = session.request({ ':path': url.pathname })
    const [headers] = await once(stream, 'response')
    stream.resume()
    return Number(headers[':status'])
  } finally {
    session.close()
  }
}
