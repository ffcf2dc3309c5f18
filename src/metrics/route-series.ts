// The main thread's side of the proxy metrics memory (layout.ts): it gives every (service, route) label
// pair a series before any worker compiles a config holding it, grows the buffers to fit, and keeps each
// series' labels for the scrape. Series are never removed, so counters stay monotonic across reloads.
// With a prometheus plugin's per_consumer on, every (route, consumer with a username) pair gets a series
// too, after all the routes' own ones: the consumers are config entities, so the pairs are known at load
// and bounded by routes x consumers, and all series together by maxSeries. A pair left without one (over
// the bound) counts under its route's own series (consumer "").

import type { LoadedConfig } from '../config/types.ts'
import { ALL_FAMILIES, FAMILY_PER_CONSUMER, configFamilies, type ConfigFamilies } from './families.ts'
import {
  DIRECTORY_COUNT, DIRECTORY_HEADER_WORDS, KEY_BYTES, KEY_WORDS, MAX_SERIES, SLOT_BYTES, WORD_BYTES,
} from './layout.ts'
import { seriesKey, seriesLabels, type SeriesLabels } from './series-key.ts'

/** What a proxy worker receives in workerData to record into (structured-cloned; the buffers are shared). */
export interface ProxyMetricsShared {
  readonly counters: SharedArrayBuffer
  readonly directory: SharedArrayBuffer
  readonly workers: number
}

/** series allocated up front; buffers then grow by doubling, so a reload rarely has to grow them */
const INITIAL_SERIES = 64

export class RouteSeries {
  readonly shared: ProxyMetricsShared
  readonly #maxSeries: number
  readonly #labels: SeriesLabels[] = []
  readonly #byKey = new Map<string, number>()
  readonly #words: Int32Array<SharedArrayBuffer>
  /** routes seen without room for a series (over maxSeries) */
  dropped = 0
  /** the families the current config exports (families.ts); set by assign() */
  families: ConfigFamilies = { configured: false, exported: ALL_FAMILIES, requestDefault: ALL_FAMILIES }

  constructor (workers: number, maxSeries = MAX_SERIES) {
    this.#maxSeries = maxSeries
    const initial = Math.min(INITIAL_SERIES, maxSeries)
    const directory = new SharedArrayBuffer(directoryBytes(initial), { maxByteLength: directoryBytes(maxSeries) })
    const counters = new SharedArrayBuffer(initial * workers * SLOT_BYTES, { maxByteLength: maxSeries * workers * SLOT_BYTES })
    this.shared = { counters, directory, workers }
    this.#words = new Int32Array(directory)
  }

  get size (): number {
    return this.#labels.length
  }

  labels (series: number): SeriesLabels {
    return this.#labels[series]
  }

  /**
   * Gives a series to every route of `config` (with a service) that has none yet. Call before workers
   * compile the config: they look their routes up in the directory and do not count unknown ones.
   * Returns the number of routes left without one because maxSeries was reached.
   */
  assign (config: LoadedConfig): number {
    this.families = configFamilies(config)
    const services = new Map(config.entities.services.map((s) => [s.id, s]))
    const counted = []
    let dropped = 0
    for (const route of config.entities.routes) {
      const service = route.service === null ? undefined : services.get(route.service.id)
      if (service === undefined) continue
      counted.push({ route, service })
      if (!this.#add(seriesLabels(route, service))) dropped++
    }
    if ((this.families.exported & FAMILY_PER_CONSUMER) !== 0) {
      const usernames = config.entities.consumers.flatMap((c) => c.username === null ? [] : [c.username])
      for (const { route, service } of counted) {
        for (const username of usernames) if (!this.#add(seriesLabels(route, service, username))) dropped++
      }
    }
    this.dropped += dropped
    return dropped
  }

  /** false when the series is new and there is no room for it */
  #add (labels: SeriesLabels): boolean {
    const key = seriesKey(labels)
    if (this.#byKey.has(key)) return true
    if (this.#labels.length >= this.#maxSeries) return false
    this.#append(key, labels)
    return true
  }

  #append (key: string, labels: SeriesLabels): void {
    const series = this.#labels.length
    this.#reserve(series + 1)
    const offset = (DIRECTORY_HEADER_WORDS + series * KEY_WORDS) * WORD_BYTES
    Buffer.from(this.shared.directory, offset, KEY_BYTES).write(key, 'hex')
    this.#labels.push(labels)
    this.#byKey.set(key, series)
    // publishes the entry written above: a worker reads entries only below the count it loads
    Atomics.store(this.#words, DIRECTORY_COUNT, series + 1)
  }

  /** Grows both buffers so that `series` series fit. Growing never moves existing data. */
  #reserve (series: number): void {
    const { counters, directory, workers } = this.shared
    growTo(counters, series * workers * SLOT_BYTES)
    growTo(directory, directoryBytes(series))
  }
}

/** doubling (capped at the buffer's maximum), so appending series one by one grows rarely */
function growTo (buffer: SharedArrayBuffer, needed: number): void {
  if (buffer.byteLength >= needed) return
  buffer.grow(Math.min(Math.max(needed, buffer.byteLength * 2), buffer.maxByteLength))
}

function directoryBytes (series: number): number {
  return (DIRECTORY_HEADER_WORDS + series * KEY_WORDS) * WORD_BYTES
}
