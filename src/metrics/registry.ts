// The main thread's list of metrics sources: GET /metrics collects them all, in registration order, and
// writes one text. A source that fails, or hands a family that cannot be written, costs only its own
// families: the scrape still answers and kong_nginx_metric_errors_total counts the failure.

import { familyProblem, renderFamilies } from './exposition.ts'
import type { MetricFamily, MetricsSource } from './types.ts'

export interface MetricsRegistryOptions {
  /** told about each failed source or rejected family (for a log line) */
  readonly onError?: (source: string, err: unknown) => void
}

export class MetricsRegistry {
  readonly #sources = new Map<string, MetricsSource>()
  readonly #onError: (source: string, err: unknown) => void
  #errors = 0

  constructor (options: MetricsRegistryOptions = {}) {
    this.#onError = options.onError ?? (() => {})
  }

  /** scrape failures so far (Kong's kong_nginx_metric_errors_total) */
  get errors (): number {
    return this.#errors
  }

  /** Adds a source under a unique name; returns the function that removes it. */
  register (name: string, source: MetricsSource): () => void {
    if (this.#sources.has(name)) throw new Error(`a metrics source named '${name}' is already registered`)
    this.#sources.set(name, source)
    return () => { if (this.#sources.get(name) === source) this.#sources.delete(name) }
  }

  async collect (): Promise<MetricFamily[]> {
    const merged = new Map<string, MetricFamily>()
    for (const [name, source] of this.#sources) {
      let families: readonly MetricFamily[]
      try {
        families = await source.collect()
      } catch (err) {
        this.#fail(name, err)
        continue
      }
      for (const family of families) this.#merge(name, family, merged)
    }
    return [...merged.values()]
  }

  async render (): Promise<string> {
    return renderFamilies(await this.collect())
  }

  /** Two sources may add samples to one family; its HELP and TYPE are the first source's. */
  #merge (source: string, family: MetricFamily, merged: Map<string, MetricFamily>): void {
    const problem = familyProblem(family)
    if (problem !== null) return this.#fail(source, new Error(problem))
    const existing = merged.get(family.name)
    if (existing === undefined) {
      merged.set(family.name, family)
    } else if (existing.type !== family.type) {
      this.#fail(source, new Error(`metric ${family.name} is a ${existing.type}, not a ${family.type}`))
    } else {
      merged.set(family.name, { ...existing, samples: [...existing.samples, ...family.samples] } as MetricFamily)
    }
  }

  #fail (source: string, err: unknown): void {
    this.#errors++
    this.#onError(source, err)
  }
}
