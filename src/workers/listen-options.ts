// How every listener socket of the proxy is bound, by the workers (proxy-server.ts) and by the main
// thread's holder of a port 0 entry (port-holders.ts), which the workers' sockets must be able to join.
// Every worker binds every listener with reusePort whatever the `reuseport` flag says: that is how the
// worker threads share a port.

import type { ListenOptions } from 'node:net'
import type { ListenAddress } from '../config/types.ts'

/** net.Server#listen options for an address: its backlog and ipv6only; reusePort always (see above). */
export function listenOptions (address: ListenAddress): ListenOptions {
  const options: ListenOptions = { host: address.host, port: address.port, reusePort: true, backlog: address.backlog }
  if (address.ipv6Only !== null) options.ipv6Only = address.ipv6Only
  return options
}
