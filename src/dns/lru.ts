// A Map bounded to `size` entries, dropping the least recently used first (dns_cache_size). A Map keeps
// insertion order, so a hit moves its key to the end and the first key is always the oldest.

export class LruMap<K, V> {
  readonly #map = new Map<K, V>()
  readonly #size: number

  constructor (size: number) {
    this.#size = size
  }

  get size (): number {
    return this.#map.size
  }

  get (key: K): V | undefined {
    const value = this.#map.get(key)
    if (value === undefined) return undefined
    this.#map.delete(key)
    this.#map.set(key, value)
    return value
  }

  set (key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.#size) this.#map.delete(this.#map.keys().next().value as K)
  }

  delete (key: K): void {
    this.#map.delete(key)
  }

  clear (): void {
    this.#map.clear()
  }
}
