// `tls-handshake` load: every request on a new TLS connection, so req/s is handshakes/s. autocannon's
// `reconnectRate` would do it, but autocannon 9 drops the response on which it reconnects (Client's
// kOnMessageComplete returns before emitting 'response', lib/httpClient.js), so with a rate of 1 it
// counts nothing. Here each slot makes one node:https request with `agent: false`: a fresh connection with
// no session to resume (a full handshake each time, the costly case), `Connection: close`, and any
// certificate accepted, as autocannon does. Everything a request allocates is node:https's own; the
// handshake, not the client, is what this measures.

import { request, type RequestOptions } from 'node:https'
import type { ClientRequest, IncomingMessage } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { LoadJob, LoadOutcome } from '../lib/load-types.ts'
import { runSlots, SlotRun, type LoadSlot } from './slot-load.ts'

const kSlot = Symbol('handshake load slot')

type SlotRequest = ClientRequest & { [kSlot]: HandshakeSlot }

class HandshakeSlot implements LoadSlot {
  destroyed = false
  sentAt = -1
  due: (() => number) | null = null
  status = 0
  request: SlotRequest | null = null
  readonly options: RequestOptions
  readonly run: SlotRun

  constructor (options: RequestOptions, run: SlotRun) {
    this.options = options
    this.run = run
  }

  _doRequest (): void {
    if (this.destroyed || !this.run.running) return
    this.sentAt = performance.now()
    this.status = 0
    const req = request(this.options) as SlotRequest
    req[kSlot] = this
    req.on('response', onResponse)
    req.on('error', onError)
    req.end()
    this.request = req
  }

  cancel (): void {
    const req = this.request
    this.request = null
    req?.destroy()
  }
}

function onResponse (this: SlotRequest, res: IncomingMessage): void {
  const slot = this[kSlot]
  if (slot.request !== this) {
    res.destroy()
    return
  }
  slot.status = res.statusCode ?? 0
  slot.run.recorder.headers(res.rawHeaders)
  res.on('end', onEnd)
  res.on('error', ignore)
  res.resume()
}

function onEnd (this: IncomingMessage): void {
  const req = (this as IncomingMessage & { req: SlotRequest }).req
  const slot = req[kSlot]
  if (slot.request !== req) return
  slot.request = null
  slot.run.done(slot, slot.status)
}

function onError (this: SlotRequest): void {
  const slot = this[kSlot]
  if (slot.request !== this) return
  slot.request = null
  slot.run.failed(slot)
}

function ignore (): void {}

export async function runHandshakes (job: LoadJob): Promise<LoadOutcome> {
  const url = new URL(job.url)
  const options: RequestOptions = {
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    method: 'GET',
    headers: { ...job.headers },
    agent: false,
    rejectUnauthorized: false
  }
  const run = new SlotRun()
  const slots: HandshakeSlot[] = []
  for (let i = 0; i < job.connections; i++) slots.push(new HandshakeSlot(options, run))
  return await runSlots(job, run, slots, async () => {})
}
