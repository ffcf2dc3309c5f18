// The set-up most plugin tests share: an echo upstream (upstream.ts) and a gateway (gateway.ts) whose one
// service, `backend`, forwards to it with the routes and plugins the test gives, plus any other entities
// (consumers, credentials, global plugins). Both stop when the test ends.

import type { Test } from 'tap'
import { startGateway, type GatewayOptions, type RunningGateway } from './gateway.ts'
import { startUpstream, type TestUpstream } from './upstream.ts'

export interface BackendService {
  readonly routes: readonly unknown[]
  readonly plugins?: readonly unknown[]
}

export interface Backend {
  readonly gateway: RunningGateway
  readonly upstream: TestUpstream
}

export async function startBackendGateway (t: Test, service: BackendService, entities: Record<string, unknown> = {},
  options: GatewayOptions = {}): Promise<Backend> {
  const upstream = await startUpstream()
  t.teardown(() => upstream.close())
  const gateway = await startGateway({ ...entities, services: [{ name: 'backend', url: upstream.url, ...service }] }, options)
  t.teardown(() => gateway.stop())
  return { gateway, upstream }
}
