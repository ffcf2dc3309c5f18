// The rate-limiting state held once per gateway, on the main thread: the counters' SharedArrayBuffer,
// made at start and handed to every worker as it starts (workerData), so counts survive reloads and a
// restarted worker, as Kong's lua_shared_dict kong_rate_limiting_counters survives worker restarts.
// Nothing else: no Admin routes, no messages. A worker that dies holding an insert lock is handled by the
// lock's timeout (counters/table.ts), so onWorkerExit has nothing to release.

import type { MainPluginService } from '../main-thread-services.ts'
import { createCounterBuffer } from './counters/layout.ts'
import type { RateLimitingWorkerData } from './worker-service.ts'

export async function createRateLimitingMainService (): Promise<MainPluginService> {
  const data: RateLimitingWorkerData = { counters: createCounterBuffer() }
  return {
    workerData: () => ({ data, transfer: [] }),
    admin: null,
    metrics: null,
    onConfig () {},
    onWorkerMessage () {},
    onWorkerExit () {},
    async close () {}
  }
}
