// Micro benchmark: a ready hit in the shared token cache against a plain per-thread Map lookup of the
// same keys. Run: node bench/micro/cache-hit.ts [keys] [opsPerRun]
// Prints ns/op (median of RUNS runs) for:
//   map.get(hex)           a per-thread Map keyed by the digest's hex string (precomputed)
//   cache.lookup(digest)   the shared cache, clock fixed (the table read alone)
//   cache.lookup + Date.now the shared cache with its default clock, as a worker runs it

import { createHash } from 'node:crypto'
import { createTokenCache } from '../../src/cache/handle.ts'
import { TokenCache } from '../../src/cache/token-cache.ts'
import { HIT } from '../../src/cache/lookup-status.ts'

const KEYS = Number(process.argv[2] ?? 1000)
const OPS = Number(process.argv[3] ?? 2_000_000)
const RUNS = 7

interface Token { readonly header: string, readonly expiresAt: number }

const digests = Array.from({ length: KEYS }, (_, i) => new Uint8Array(createHash('sha256').update(`client-${i}:secret`).digest()))
const hex = digests.map((d) => Buffer.from(d).toString('hex'))
const tokens: Token[] = hex.map((h) => ({ header: `Bearer ${h}`, expiresAt: Date.now() + 3_600_000 }))
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const decode = (bytes: Uint8Array): Token => ({ header: decoder.decode(bytes), expiresAt: 0 })

const handle = createTokenCache({ slots: Math.max(4096, KEYS * 2) })
const fixedNow = Date.now()
const fixed = new TokenCache<Token>(handle, { decode, now: () => fixedNow })
const real = new TokenCache<Token>(handle, { decode })
for (let i = 0; i < KEYS; i++) {
  fixed.lookup(digests[i])
  fixed.complete(digests[i], encoder.encode(tokens[i].header), fixedNow + 3_600_000)
}
const map = new Map<string, Token>(hex.map((h, i) => [h, tokens[i]]))

let sink = 0

function mapRun (): void {
  for (let i = 0, k = 0; i < OPS; i++) {
    sink += map.get(hex[k])!.header.length
    if (++k === KEYS) k = 0
  }
}

function cacheRun (cache: TokenCache<Token>): () => void {
  return () => {
    for (let i = 0, k = 0; i < OPS; i++) {
      if (cache.lookup(digests[k]) !== HIT) throw new Error('expected a hit')
      sink += cache.value!.header.length
      if (++k === KEYS) k = 0
    }
  }
}

function measure (name: string, run: () => void): number {
  run() // warm up: optimise, and decode every key once in this TokenCache
  const samples: number[] = []
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint()
    run()
    samples.push(Number(process.hrtime.bigint() - start) / OPS)
  }
  samples.sort((a, b) => a - b)
  const median = samples[RUNS >> 1]
  console.log(`${name.padEnd(26)} ${median.toFixed(1).padStart(7)} ns/op   (min ${samples[0].toFixed(1)}, max ${samples[RUNS - 1].toFixed(1)})`)
  return median
}

console.log(`node ${process.version}, ${KEYS} keys, ${OPS} ops per run, median of ${RUNS}`)
const base = measure('map.get(hex)', mapRun)
const table = measure('cache.lookup(digest)', cacheRun(fixed))
const clocked = measure('cache.lookup + Date.now', cacheRun(real))
console.log(`ratio to Map: ${(table / base).toFixed(2)}x (fixed clock), ${(clocked / base).toFixed(2)}x (Date.now)`)
if (sink === 0) console.log('(sink)')
