// The young generation of the gateway's worker threads. A proxy worker allocates some kilobytes of
// short-lived objects per request (node:http's request and response, undici's, the header strings), so
// under load it scavenges every few hundred requests, and each scavenge costs the same whatever the
// garbage: V8 visits the roots and sweeps the young ArrayBuffers. V8 sizes a new isolate's semi-space
// small, grows it only as a load goes on, and gives it back when the worker idles, so every burst after a
// quiet spell starts with the smallest one and the most scavenges (measured with --trace-gc-nvp: twice as
// many, and twice the pause time per request, as with 16 MiB; bench/README.md).
// `worker_semi_space_size` pins the size instead: V8's --min-semi-space-size, which it reads when it
// creates an isolate, so it is set on the main thread before the first worker starts. Node takes no V8
// flag per worker (Worker's resourceLimits set only maxima), so every worker thread started afterwards,
// the signing threads too, gets it; the main thread keeps its own heap.

import { setFlagsFromString } from 'node:v8'

const MIB = 1024 ** 2

/** Sets the semi-space of the worker threads started from now on; 0 leaves the sizing to V8. */
export function sizeWorkerYoungGeneration (semiSpaceBytes: number): void {
  if (semiSpaceBytes === 0) return
  setFlagsFromString(`--min-semi-space-size=${semiSpaceBytes / MIB}`)
}
