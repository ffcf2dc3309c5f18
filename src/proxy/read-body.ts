// Buffers a request body within a byte limit for the plugins (and the chunked client_max_body_size check)
// that need it whole. Over the limit it stops reading and rejects with a 413 ClientError, but leaves the
// request alone: destroying it (as leaving a `for await` loop early does) would take its socket, and the
// 413 with it.

import type { IncomingMessage } from 'node:http'
import { ClientError } from '../core/errors.ts'

/** @param limit bytes; 0 = unlimited */
export function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onFailure)
      req.off('close', onFailure)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (limit > 0 && size > limit) {
        done()
        req.pause()
        reject(new ClientError('request body too large', 'BODY_TOO_LARGE', 413))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      done()
      resolve(Buffer.concat(chunks, size))
    }
    // 'close' without 'end': the client went away mid-body
    const onFailure = (err?: Error): void => {
      done()
      reject(err ?? new ClientError('request body incomplete', 'BODY_INCOMPLETE', 400))
    }
    req.on('data', onData)
    req.once('end', onEnd)
    req.once('error', onFailure)
    req.once('close', onFailure)
  })
}
