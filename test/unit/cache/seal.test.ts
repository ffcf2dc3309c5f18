// The entry seal binds a value to its key and fields: any other key, byte, length or time changes it.

import t from 'tap'
import { Seal, sealEntry, sealNegative } from '../../../src/cache/seal.ts'
import { digestFor, encodeValue } from '../../helpers/cache-keys.ts'

function words (digest: Uint8Array): Int32Array {
  return new Int32Array(digest.buffer, digest.byteOffset, 8)
}

function seal (key: Uint8Array, bytes: Uint8Array, expiresAt = 1000, renewAt = 500, spillPos = 0): string {
  const out = new Seal()
  sealEntry(words(key), bytes, expiresAt, renewAt, spillPos, out)
  return `${out.a}:${out.b}`
}

t.test('the same entry seals the same; any difference seals differently', async (t) => {
  const a = digestFor(1)
  const value = encodeValue(1, 1, 300)
  const base = seal(a, value)
  t.equal(seal(a, Uint8Array.from(value)), base, 'deterministic')
  t.not(seal(digestFor(2), value), base, 'another key')
  t.not(seal(a, value.subarray(0, 299)), base, 'another length')
  t.not(seal(a, value, 1001), base, 'another expiry')
  t.not(seal(a, value, 1000, 501), base, 'another renew time')
  t.not(seal(a, value, 1000, 500, 4096), base, 'another spill position')
  const seen = new Set([base])
  for (let i = 0; i < value.length; i++) {
    const flipped = Uint8Array.from(value)
    flipped[i] ^= 1
    seen.add(seal(a, flipped))
  }
  t.equal(seen.size, value.length + 1, 'every single-bit flip of the value changes the seal')
})

t.test('a negative seal binds the key and the expiry, and is no ready entry\'s', async (t) => {
  const out = new Seal()
  const key = words(digestFor(1))
  sealNegative(key, 1000, out)
  const negative = `${out.a}:${out.b}`
  sealNegative(words(digestFor(2)), 1000, out)
  t.not(`${out.a}:${out.b}`, negative)
  sealNegative(key, 1001, out)
  t.not(`${out.a}:${out.b}`, negative)
  t.not(seal(digestFor(1), new Uint8Array(0), 0, 1000), negative)
})
