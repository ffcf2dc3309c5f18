// The three id generators of Kong's correlation-id handler.lua (the `generators` table), per worker
// thread. None allocates more than the string it returns; none runs a regex or a closure per request.
//   uuid          crypto.randomUUID(): a v4 UUID from Node's cached entropy pool (one getRandomValues
//                 call per 128 UUIDs), as Kong's kong.tools.uuid is a v4 UUID from a PRNG
//   uuid#counter  "<worker uuid>#<n>": one UUID drawn per worker when this module loads (Kong draws it in
//                 init_worker), and a counter per worker starting at 1; one concatenation per request
//   tracker       Kong's "server_addr-server_port-pid-connection-connection_requests-msec" from nginx
//                 variables, rebuilt from the socket (see tracker())

import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import { threadId } from 'node:worker_threads'

const WORKER_PREFIX = randomUUID() + '#'
let workerCounter = 0

export function uuid (): string {
  return randomUUID()
}

export function uuidCounter (): string {
  return WORKER_PREFIX + ++workerCounter
}

const kSerial = Symbol('tollgate.correlation-id.connection')
const kRequests = Symbol('tollgate.correlation-id.requests')

interface TrackedSocket extends Socket {
  [kSerial]?: number
  [kRequests]?: number
}

/**
 * nginx's $connection is a serial number unique across its worker processes; Tollgate's workers are
 * threads of one process (one pid), so the serial is a per-thread count times 65536 plus the thread id:
 * still digits only, and distinct between the workers alive at a time (thread ids stay below 65536).
 */
const THREAD_SLOT = 65536
let connections = 0

/** The serial and the request count of a connection: nginx's $connection and $connection_requests. */
function connectionOf (socket: TrackedSocket): number {
  let serial = socket[kSerial]
  if (serial === undefined) {
    serial = ++connections * THREAD_SLOT + (threadId % THREAD_SLOT)
    socket[kSerial] = serial
    socket[kRequests] = 0
  }
  return serial
}

/**
 * Kong's tracker: `string.format("%s-%s-%d-%s-%s-%0.3f", server_addr, server_port, worker_pid,
 * connection, connection_requests, ngx.now())`. server_addr and server_port are the local end of the
 * client's socket (an IPv4-mapped IPv6 address stays as Node reports it), worker_pid is the gateway's pid,
 * and the time is the wall clock in seconds with milliseconds (nginx's cached time has the same
 * resolution). connection_requests counts the ids generated on the connection (a request that brought
 * its own id does not count), where nginx counts every request. A socket already gone (null, or
 * destroyed without a local address) leaves its fields empty.
 */
export function tracker (socket: Socket | null): string {
  if (socket === null) return `--${process.pid}---${(Date.now() / 1000).toFixed(3)}`
  const tracked = socket as TrackedSocket
  const serial = connectionOf(tracked)
  const requests = (tracked[kRequests] ?? 0) + 1
  tracked[kRequests] = requests
  return `${socket.localAddress ?? ''}-${socket.localPort ?? ''}-${process.pid}-${serial}-${requests}-${(Date.now() / 1000).toFixed(3)}`
}
