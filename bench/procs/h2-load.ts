// HTTP/2 load (autocannon speaks only HTTP/1.1): node:http2 client sessions over TLS (ALPN h2, any
// certificate accepted, as autocannon does), each carrying STREAMS_PER_SESSION concurrent streams, every
// stream slot a closed loop or paced (bench/procs/slot-load.ts). The job's `connections` is the number of
// streams in flight over all sessions, so `h2` keeps as many requests in flight as the HTTP/1.1 scenarios.
// Per request: one session.request with the job's headers object (built once), three listeners that are
// module-level functions finding their slot on the stream, and the body read in flowing mode.

import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import { once } from 'node:events'
import { performance } from 'node:perf_hooks'
import type { LoadJob, LoadOutcome } from '../lib/load-types.ts'
import { runSlots, SlotRun, type LoadSlot } from './slot-load.ts'

/** Streams each session keeps in flight: well under the gateway's 128 (nginx's http2_max_concurrent_streams). */
export const STREAMS_PER_SESSION = 10

const kSlot = Symbol('h2 load slot')

type SlotStream = ClientHttp2Stream & { [kSlot]: H2Slot }

class H2Slot implements LoadSlot {
  destroyed = false
  sentAt = -1
  due: (() => number) | null = null
  status = 0
  stream: SlotStream | null = null
  readonly session: ClientHttp2Session
  readonly headers: OutgoingHttpHeaders
  readonly run: SlotRun

  constructor (session: ClientHttp2Session, headers: OutgoingHttpHeaders, run: SlotRun) {
    this.session = session
    this.headers = headers
    this.run = run
  }

  _doRequest (): void {
    if (this.destroyed || !this.run.running) return
    if (this.session.closed || this.session.destroyed) {
      // the session is gone (its error was counted): this slot stops, and the run reports it failed
      this.destroyed = true
      return
    }
    this.sentAt = performance.now()
    this.status = 0
    // a GET ends the stream with its HEADERS frame (node:http2 sets endStream for it)
    const stream = this.session.request(this.headers) as SlotStream
    stream[kSlot] = this
    stream.on('response', onResponse)
    stream.on('error', ignore)
    stream.on('close', onClose)
    stream.resume()
    this.stream = stream
  }

  cancel (): void {
    const stream = this.stream
    this.stream = null
    if (stream !== null && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL)
  }
}

function onResponse (this: SlotStream, headers: IncomingHttpHeaders, _flags: number, raw: string[]): void {
  const slot = this[kSlot]
  if (slot.stream !== this) return
  slot.status = Number(headers[':status'])
  slot.run.recorder.headers(raw)
}

// 'close' follows 'error' too: a stream that ended without a response or with a reset is a failure
function onClose (this: SlotStream): void {
  const slot = this[kSlot]
  if (slot.stream !== this) return
  slot.stream = null
  if (slot.status === 0 || this.rstCode !== constants.NGHTTP2_NO_ERROR) slot.run.failed(slot)
  else slot.run.done(slot, slot.status)
}

function ignore (): void {}

async function openSession (origin: string, run: SlotRun): Promise<ClientHttp2Session> {
  const session = connect(origin, { rejectUnauthorized: false })
  session.on('error', () => { if (run.running) run.errors++ })
  await once(session, 'connect')
  if (session.alpnProtocol !== 'h2') throw new Error(`${origin} negotiated ${String(session.alpnProtocol)}, not h2`)
  return session
}

export async function runH2 (job: LoadJob): Promise<LoadOutcome> {
  const url = new URL(job.url)
  const headers: OutgoingHttpHeaders = { ':method': 'GET', ':path': url.pathname + url.search, ...job.headers }
  const run = new SlotRun()
  const sessions: ClientHttp2Session[] = []
  const slots: H2Slot[] = []
  try {
    for (let left = job.connections; left > 0; left -= STREAMS_PER_SESSION) {
      const session = await openSession(url.origin, run)
      sessions.push(session)
      for (let i = 0; i < Math.min(left, STREAMS_PER_SESSION); i++) slots.push(new H2Slot(session, headers, run))
    }
  } catch (err) {
    for (const session of sessions) session.destroy()
    throw err
  }
  return await runSlots(job, run, slots, async () => {
    await Promise.all(sessions.map(async (session) => {
      if (session.destroyed) return
      const closed = once(session, 'close')
      session.close()
      // cancelled streams end at once; a stuck peer is not waited for
      const timer = setTimeout(() => session.destroy(), 2000)
      await closed
      clearTimeout(timer)
    }))
  })
}
