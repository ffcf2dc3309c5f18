// What every proxy worker holds once for all rate-limiting instances: its view of the shared counters
// (the buffer the main thread made, main-service.ts) and the current windows (read once per second).

import type { Logger } from '../../core/log.ts'
import type { WorkerPluginService } from '../worker-thread-services.ts'
import { CounterTable } from './counters/table.ts'
import { Windows } from './windows.ts'

/** workerData.pluginData['rate-limiting'] */
export interface RateLimitingWorkerData {
  readonly counters: SharedArrayBuffer
}

export class RateLimitingWorkerService implements WorkerPluginService {
  readonly table: CounterTable
  readonly windows = new Windows()
  readonly logger: Logger

  constructor (data: RateLimitingWorkerData, logger: Logger) {
    this.table = new CounterTable(data.counters)
    this.logger = logger
  }

  onMessage (): void {}
}
