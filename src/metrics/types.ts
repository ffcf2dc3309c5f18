// What a metrics source hands the registry at scrape time: metric families in Prometheus' data model.
// Sources run on the main thread; one that counts in workers reads its own shared memory in collect().

export type Labels = Readonly<Record<string, string>>

export interface ValueSample {
  readonly labels?: Labels
  readonly value: number
}

export interface HistogramSample {
  readonly labels?: Labels
  /** upper bounds, ascending, without +Inf */
  readonly bounds: readonly number[]
  /** cumulative count of observations <= each bound (same length as bounds) */
  readonly cumulative: readonly number[]
  /** all observations: the +Inf bucket */
  readonly count: number
  readonly sum: number
}

export type MetricFamily =
  | { readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge', readonly samples: readonly ValueSample[] }
  | { readonly name: string, readonly help: string, readonly type: 'histogram', readonly samples: readonly HistogramSample[] }

export interface MetricsSource {
  /** Families as of now. A family may be empty (it is still announced). Throwing or rejecting counts as a scrape error. */
  collect (): readonly MetricFamily[] | Promise<readonly MetricFamily[]>
}
