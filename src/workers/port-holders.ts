// proxy_listen entries with port 0 (the tests' and any "pick a free port" setup): the main thread asks
// the kernel for a free port, and every worker then binds it with reusePort.
//
// The port is held from the moment the kernel picks it until the workers have bound it: a socket of the
// same reusePort group (listen-options.ts) stays bound in between. A probe closed before the
// workers bind leaves a window in which another process of the same user binding port 0 with reusePort
// (another gateway) can be given the same port, and Linux then spreads the connections of both over
// both: each answers a share of the other's clients. Linux does not pick a port some socket is bound to
// when asked for port 0 (net/ipv4/inet_connection_sock.c, inet_csk_find_open_port), so while the holder
// is bound nobody else is given it. Nobody connects before the gateway logs the port it listens on, and
// the holder is closed before that.

import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import type { ListenAddress } from '../config/types.ts'
import { listenOptions } from './listen-options.ts'

export interface HeldPorts {
  /** the addresses with every port 0 replaced by the port picked for it */
  readonly addresses: ListenAddress[]
  /** closes the sockets holding the picked ports: once the workers have bound them, or gave up */
  release (): Promise<void>
}

export async function holdPorts (addresses: readonly ListenAddress[]): Promise<HeldPorts> {
  const resolved: ListenAddress[] = []
  const holders: Server[] = []
  const release = async (): Promise<void> => {
    await Promise.all(holders.splice(0).map(async (holder) => await new Promise((resolve) => holder.close(resolve))))
  }
  try {
    for (const address of addresses) {
      if (address.port !== 0) {
        resolved.push(address)
        continue
      }
      // the workers' own options (reusePort, ipv6Only): a socket they can join
      const holder = createServer()
      holders.push(holder)
      holder.listen(listenOptions(address))
      await once(holder, 'listening')
      resolved.push({ ...address, port: (holder.address() as { port: number }).port })
    }
  } catch (err) {
    await release()
    throw err
  }
  return { addresses: resolved, release }
}
