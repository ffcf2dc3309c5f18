// The attacks of the hostile scenario, each bounded in count and in time (it stops by itself at the
// deadline and says so), all on loopback. Each sends raw bytes (raw-client.ts) so the request is exactly
// the attack, whatever an HTTP client library would refuse or rewrite. What each one measures and why is
// in bench/README.md ("Hostile clients").

import { exchange, type Exchange } from './raw-client.ts'
import type { AttackName, HostileOptions } from './options.ts'

export interface AttackTarget {
  readonly port: number
  /** performance.now() after which an attack sends nothing more */
  readonly deadline: number
}

export interface AttackOutcome {
  readonly requests: number
  /** status code of each answer -> count; `none` when no answer came */
  readonly statuses: Readonly<Record<string, number>>
  /** how the connections ended (raw-client.ts Exchange.end) -> count */
  readonly ends: Readonly<Record<string, number>>
  readonly stoppedAtLimit: boolean
  readonly ms: number
  /** attack-specific facts (bytes sent before the answer, slowest answer, first lines ...) */
  readonly details: Readonly<Record<string, unknown>>
}

export interface Attack {
  readonly name: AttackName
  readonly letter: string
  readonly what: string
  /** gateway settings this attack needs beyond the bench's defaults */
  readonly settings: Readonly<Record<string, unknown>>
  /** the config also has a `*.example.com` route (path /wild) */
  readonly wildcardRoute: boolean
  /** the config also has an openid-connect route (path /drip) whose IdP drips its token answers */
  readonly dripRoute: boolean
  run (target: AttackTarget, options: HostileOptions): Promise<AttackOutcome>
}

const KiB = 1024
const ONE_MIB_HEADER_LIMIT = 1024 * 1024

export const ATTACKS: readonly Attack[] = [
  {
    name: 'upload',
    letter: 'a',
    what: 'one unauthenticated application/json upload (1 GiB; quick 64 MiB) to the openid-connect route, streamed',
    settings: {},
    wildcardRoute: false,
    dripRoute: false,
    run: async (target, options) => {
      const head = request('POST', '/oidc/hostile-upload', [
        'Content-Type: application/json', `Content-Length: ${options.uploadBytes}`])
      const one = await exchange({ port: target.port, head, body: chunks(options.uploadBytes), timeoutMs: remaining(target), lingerMs: 2000 })
      return outcome([one], one.end === 'timeout', one.ms, {
        bodyBytesSent: one.bodyBytesSent,
        bodyBytesOffered: options.uploadBytes,
        answeredMs: one.answeredMs,
        closedDuringBody: one.closedDuringBody,
        firstLine: one.firstLine
      })
    }
  },
  {
    name: 'form-amp',
    letter: 'b',
    what: 'bodies of 1 MiB of \'&\' (application/x-www-form-urlencoded) to the openid-connect route, one after another (5; quick 2)',
    settings: {},
    wildcardRoute: false,
    dripRoute: false,
    run: async (target, options) => {
      const body = Buffer.alloc(options.formBytes, '&')
      const head = request('POST', '/oidc/hostile-form', [
        'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`])
      return await repeat(target, options.formCount, 1, () => ({ head, body: [body] }))
    }
  },
  {
    name: 'basic-flood',
    letter: 'c',
    what: 'distinct ~15 KiB `Authorization: Basic` headers with credentials the IdP rejects (16,384; quick 1,024), 16 at a time',
    settings: {},
    wildcardRoute: false,
    dripRoute: false,
    run: async (target, options) => {
      return await repeat(target, options.basicCount, 16, (i) => ({
        head: request('GET', '/oidc/hostile-basic', [`Authorization: ${bigBasic(i, options.basicBytes)}`])
      }))
    }
  },
  {
    name: 'long-host',
    letter: 'd',
    what: '~64 KiB Host headers of one-letter labels (32,000 dots) on a config with a `*.example.com` route (512; quick 48), 4 at a time',
    // above the default 16 KiB, so the Host reaches the router instead of the header-size check
    settings: { client_max_header_size: ONE_MIB_HEADER_LIMIT },
    wildcardRoute: true,
    dripRoute: false,
    run: async (target, options) => {
      return await repeat(target, options.hostCount, 4, (i) => ({
        head: request('GET', '/wild/hostile-host', [], longHost(i, options.hostBytes))
      }))
    }
  },
  {
    name: 'http09',
    letter: 'e',
    what: 'HTTP/0.9 request lines (`GET /proxy/hostile-http09-N` then a blank line, no version) to the plain route',
    settings: {},
    wildcardRoute: false,
    dripRoute: false,
    run: async (target, options) => {
      return await repeat(target, options.http09Count, options.http09Count, (i) => ({
        head: `GET /proxy/hostile-http09-${i}\r\n\r\n`, timeoutMs: 3000
      }))
    }
  },
  {
    name: 'drip-idp',
    letter: 'f',
    what: 'an IdP whose token endpoint sends its headers, then one body byte a second (30 s; quick 5 s); plugin timeout 2,000 ms',
    settings: {},
    wildcardRoute: false,
    dripRoute: true,
    run: async (target) => {
      const one = await exchange({
        port: target.port,
        head: request('GET', '/drip/hostile-drip', [`Authorization: Basic ${Buffer.from('drip-client:drip-secret').toString('base64')}`]),
        timeoutMs: remaining(target)
      })
      return outcome([one], one.end === 'timeout', one.ms, { answeredMs: one.answeredMs, firstLine: one.firstLine })
    }
  }
]

/** A request head asking for `Connection: close`, so each answer ends with the connection. */
function request (method: string, path: string, headers: readonly string[], host = '127.0.0.1'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`
}

/** The upload body: one 64 KiB buffer of JSON whitespace handed out again and again, never the whole. */
function * chunks (total: number): Generator<Buffer> {
  const chunk = Buffer.alloc(64 * KiB, ' ')
  let left = total
  while (left > 0) {
    const size = Math.min(left, chunk.length)
    yield size === chunk.length ? chunk : chunk.subarray(0, size)
    left -= size
  }
}

/** `Basic base64(id:secret)` of about `bytes` characters, distinct for each i, which no IdP client has. */
function bigBasic (i: number, bytes: number): string {
  const raw = Math.floor((bytes - 6) * 3 / 4)
  const id = `hostile-${i}-`.padEnd(Math.floor(raw / 2), 'i')
  const secret = 's'.repeat(raw - id.length - 1)
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

/** `h<i>.a.a.a. ... .example.com` of about `bytes` characters: every label a dot more to split. */
function longHost (i: number, bytes: number): string {
  const prefix = `h${i}.`
  const suffix = 'example.com'
  return prefix + 'a.'.repeat(Math.floor((bytes - prefix.length - suffix.length) / 2)) + suffix
}

function remaining (target: AttackTarget): number {
  return Math.max(1, Math.round(target.deadline - performance.now()))
}

interface OneRequest {
  readonly head: string
  readonly body?: Buffer[]
  readonly timeoutMs?: number
}

/** `count` exchanges, `concurrency` at a time, until done or the deadline. */
async function repeat (target: AttackTarget, count: number, concurrency: number, make: (i: number) => OneRequest): Promise<AttackOutcome> {
  const started = performance.now()
  const done: Exchange[] = []
  let next = 0
  let stopped = false
  const lane = async (): Promise<void> => {
    while (next < count) {
      if (performance.now() >= target.deadline) {
        stopped = true
        return
      }
      const one = make(next++)
      done.push(await exchange({ port: target.port, head: one.head, body: one.body, timeoutMs: Math.min(one.timeoutMs ?? 60_000, remaining(target)), lingerMs: 500 }))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
  const answered = done.map((e) => e.answeredMs).filter((ms) => ms !== null)
  return outcome(done, stopped || performance.now() >= target.deadline, Math.round(performance.now() - started), {
    slowestAnswerMs: answered.length === 0 ? null : Math.max(...answered),
    firstLines: [...new Set(done.map((e) => e.firstLine))].slice(0, 4)
  })
}

function outcome (done: readonly Exchange[], stoppedAtLimit: boolean, ms: number, details: Record<string, unknown>): AttackOutcome {
  return {
    requests: done.length,
    statuses: tally(done.map((e) => e.status === null ? 'none' : String(e.status))),
    ends: tally(done.map((e) => e.end)),
    stoppedAtLimit,
    ms,
    details
  }
}

function tally (values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values) out[v] = (out[v] ?? 0) + 1
  return out
}
