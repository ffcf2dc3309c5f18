// Reading a request body before it is forwarded, two ways, both bounded:
// - peekBody, for plugins: at most client_body_buffer_size bytes, as Kong's plugins see a body only when it
//   fits nginx's in-memory client body buffer (kong/pdk/request.lua get_raw_body: ngx.req.get_body_data()
//   is nil once nginx spilled the body to a file). A larger body is not kept: the bytes already read are
//   pushed back into the request stream (readable.unshift), which is then forwarded as if never touched.
// - readBodyChunks, for the chunked-body check of client_max_body_size: the whole body as the chunks the
//   socket delivered (no copy), bounded by that limit.
// Over client_max_body_size both stop reading and reject with a 413 ClientError, but leave the request
// alone: destroying it (as leaving a `for await` loop early does) would take its socket, and the 413 with it.

import type { IncomingMessage } from 'node:http'
import { ClientError } from '../core/errors.ts'

const EMPTY = Buffer.alloc(0)
/** first allocation for a chunked body that may fit a large client_body_buffer_size; grown by doubling */
const INITIAL_CAPACITY = 16 * 1024

interface Reader {
  /** false: stop reading (the sink settled the promise itself) */
  chunk (chunk: Buffer): boolean
  end (): void
  fail (err: Error): void
}

/**
 * The declared body length: 0 when the request has none, -1 when it is chunked (unknown until read).
 * llhttp has already refused a malformed Content-Length and one sent together with Transfer-Encoding.
 */
export function declaredBodyLength (req: IncomingMessage): number {
  if (req.headers['transfer-encoding'] !== undefined) return -1
  const length = req.headers['content-length']
  return length === undefined ? 0 : Number(length)
}

/** True while some of the request body has not been read from the client (a response must then close). */
export function bodyUnread (req: IncomingMessage): boolean {
  return !req.complete && declaredBodyLength(req) !== 0
}

/**
 * The whole body in one buffer when it is at most `limit` bytes, or null when it is larger: then nothing
 * is kept and the stream gives every byte again from the start. A declared length over `limit` is not
 * read at all; one within it is read into a single buffer of that size.
 * @param maxBody client_max_body_size (0 = unlimited): a chunked body past it rejects with a 413
 */
export function peekBody (req: IncomingMessage, limit: number, maxBody: number): Promise<Buffer | null> {
  const declared = declaredBodyLength(req)
  if (declared === 0) return Promise.resolve(EMPTY)
  if (declared > limit) return Promise.resolve(null)
  return new Promise((resolve, reject) => {
    let buffer: Buffer = Buffer.allocUnsafe(declared > 0 ? declared : Math.min(limit, INITIAL_CAPACITY))
    let size = 0
    consume(req, {
      chunk (chunk) {
        const next = size + chunk.length
        if (maxBody > 0 && next > maxBody) {
          reject(tooLarge())
          return false
        }
        if (next > limit) {
          // paused first: unshift into a flowing stream would hand the chunk straight back to onData.
          // Pushed back in stream order: this chunk, then what came before it in front of it.
          req.pause()
          req.unshift(chunk)
          if (size > 0) req.unshift(buffer.subarray(0, size))
          resolve(null)
          return false
        }
        if (next > buffer.length) buffer = grow(buffer, size, Math.min(limit, Math.max(next, buffer.length * 2)))
        chunk.copy(buffer, size)
        size = next
        return true
      },
      end () { resolve(size === buffer.length ? buffer : buffer.subarray(0, size)) },
      fail: reject
    })
  })
}

/** The whole body as the chunks read from the socket; over `limit` bytes (0 = unlimited) a 413 ClientError. */
export function readBodyChunks (req: IncomingMessage, limit: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    consume(req, {
      chunk (chunk) {
        size += chunk.length
        if (limit > 0 && size > limit) {
          reject(tooLarge())
          return false
        }
        chunks.push(chunk)
        return true
      },
      end () { resolve(chunks) },
      fail: reject
    })
  })
}

/** Total bytes of a chunk list. */
export function chunksLength (chunks: readonly Buffer[]): number {
  let total = 0
  for (let i = 0; i < chunks.length; i++) total += chunks[i].length
  return total
}

function grow (buffer: Buffer, used: number, capacity: number): Buffer {
  const next = Buffer.allocUnsafe(capacity)
  buffer.copy(next, 0, 0, used)
  return next
}

function tooLarge (): ClientError {
  return new ClientError('request body too large', 'BODY_TOO_LARGE', 413)
}

// Reads `req` in flowing mode until the reader says stop, the body ends, or the client goes away. On a
// stop the stream is paused before its 'data' listener goes, so no later chunk is dropped on the floor.
function consume (req: IncomingMessage, reader: Reader): void {
  const done = (): void => {
    req.off('data', onData)
    req.off('end', onEnd)
    req.off('error', onFailure)
    req.off('close', onFailure)
  }
  const onData = (chunk: Buffer): void => {
    if (reader.chunk(chunk)) return
    req.pause()
    done()
  }
  const onEnd = (): void => {
    done()
    reader.end()
  }
  // 'close' without 'end': the client went away mid-body
  const onFailure = (err?: Error): void => {
    done()
    reader.fail(err ?? new ClientError('request body incomplete', 'BODY_INCOMPLETE', 400))
  }
  req.on('data', onData)
  req.once('end', onEnd)
  req.once('error', onFailure)
  req.once('close', onFailure)
}
