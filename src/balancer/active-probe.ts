// Main thread: one active health probe of one peer, as lua-resty-healthcheck's run_single_check does it
// (lib/resty/healthcheck.lua establish_connection, probe_http): connect (TLS for type https), and for
// http/https send `GET <http_path> HTTP/1.1` with Host, `Connection: close` and the configured headers,
// then read only the status line. The result is an outcome for applyOutcome (health-rules.ts):
//   connect refused/reset, TLS handshake failure (a failed verification included), connection closed
//   before a status line                                        -> OUTCOME_TCP_FAILURE
//   no progress within `timeout` (connect, send or receive)     -> OUTCOME_TIMEOUT
//   type tcp, connected                                          -> OUTCOME_SUCCESS
//   a status line                                                -> its status (0 when it does not parse)
// Plain sockets rather than undici: a probe is one request on a fresh connection, and the outcome needs
// the connect/handshake/receive distinction that lua-resty-healthcheck makes.

import { connect as tcpConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { ActiveRules } from './health-rules.ts'
import { OUTCOME_SUCCESS, OUTCOME_TCP_FAILURE, OUTCOME_TIMEOUT } from './health-rules.ts'

export interface ProbeTarget {
  readonly address: string
  readonly port: number
  /** the Host header and the default SNI: the upstream's host_header, else the target's host */
  readonly host: string
  /** presented when the target asks for a client certificate (mTLS) */
  readonly clientCertificate: ClientPem | null
}

export interface ClientPem { readonly cert: string, readonly key: string }

export interface ProbeOptions {
  /** CA certificates for https probes with verification; undefined: Node's roots (and NODE_EXTRA_CA_CERTS) */
  readonly ca?: string | readonly string[]
}

/** A status line longer than this is not one (lua-resty-healthcheck reads one line; this bounds it). */
const MAX_STATUS_LINE = 8192
const STATUS_LINE = /^HTTP\/\d+\.\d+\s+(\d+)/i

/** Probes once; `sockets` holds the probe's socket while it runs, so that close() can end it. */
export function probe (target: ProbeTarget, rules: ActiveRules, options: ProbeOptions, sockets: Set<Socket>): Promise<number> {
  return new Promise((resolve) => {
    const socket = openSocket(target, rules, options)
    sockets.add(socket)
    let received = ''
    let settled = false
    const finish = (outcome: number): void => {
      if (settled) return
      settled = true
      sockets.delete(socket)
      socket.destroy()
      resolve(outcome)
    }
    // inactivity timeout, as the cosocket's settimeout applies to each of connect, send and receive
    socket.setTimeout(rules.timeoutMs, () => finish(OUTCOME_TIMEOUT))
    socket.once('error', () => finish(OUTCOME_TCP_FAILURE))
    // closed before a status line (after one, finish has already run and this does nothing)
    socket.once('close', () => finish(OUTCOME_TCP_FAILURE))
    socket.once(rules.type === 'https' ? 'secureConnect' : 'connect', () => {
      if (rules.type === 'tcp') return finish(OUTCOME_SUCCESS)
      socket.write(`GET ${rules.httpPath} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n${rules.headerLines}\r\n`)
    })
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      received += chunk
      const end = received.indexOf('\r\n')
      if (end === -1 && received.length <= MAX_STATUS_LINE) return
      const match = STATUS_LINE.exec(end === -1 ? received : received.slice(0, end))
      finish(match === null ? 0 : Number(match[1]))
    })
  })
}

function openSocket (target: ProbeTarget, rules: ActiveRules, options: ProbeOptions): Socket {
  if (rules.type !== 'https') return tcpConnect({ host: target.address, port: target.port })
  // establish_connection: SNI is https_sni, else the host header, else the target's host; an IP is sent as none
  const sni = rules.httpsSni ?? target.host
  return tlsConnect({
    host: target.address,
    port: target.port,
    servername: isIP(sni) === 0 ? sni : undefined,
    rejectUnauthorized: rules.verifyCertificate,
    ca: options.ca as string | string[] | undefined,
    ...(target.clientCertificate === null ? {} : { cert: target.clientCertificate.cert, key: target.clientCertificate.key }),
  })
}
