// nginx's lingering close (https://nginx.org/en/docs/http/ngx_http_core_module.html#lingering_close) for
// the gateway's own answers sent while the client is still sending a body (a 401 to an upload, a 413):
// the answer says Connection: close and node:http ends the socket after it, but it also closes it as soon
// as that FIN is written. Closing a socket with unread bytes makes the kernel send RST, and a client still
// writing its body then fails with EPIPE/ECONNRESET, often before it has read the answer. So after the
// answer the rest of the body is read and dropped (nothing is kept) until the client stops sending or
// closes, or LINGER_MS pass, and only then is the socket closed.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** nginx's lingering_timeout default; here also the whole lingering time, which is at most this long */
const LINGER_MS = 5000

const kLinger = Symbol('tollgate.linger')

interface Linger {
  readonly req: IncomingMessage
  readonly socket: Socket
}

/** Call before ending `res`, with the body still unread: the socket lingers once the answer is out. */
export function lingerAfterResponse (req: IncomingMessage, res: ServerResponse, socket: Socket): void {
  // dropped as it arrives: a request a body reader paused would otherwise stop the socket (backpressure)
  req.resume()
  ;(res as unknown as Record<symbol, Linger>)[kLinger] = { req, socket }
  res.once('finish', onAnswered)
}

function onAnswered (this: ServerResponse): void {
  const linger = (this as unknown as Record<symbol, Linger | undefined>)[kLinger]
  if (linger === undefined) return
  const { req, socket } = linger
  if (socket.destroyed || req.complete) return
  // node:http has just called socket.destroySoon() (lib/_http_server.js resOnFinish): end(), then destroy()
  // on 'finish'. Keep the end (the FIN after the answer); the destroy waits until the client is done.
  socket.removeListener('finish', socket.destroy)
  const close = (): void => {
    clearTimeout(timer)
    socket.destroy()
  }
  const timer = setTimeout(close, LINGER_MS).unref()
  req.once('end', close)
  socket.once('end', close)
  socket.once('close', close)
}
