// Keys and values for the token cache tests. Digests can be forced onto one home slot (to make keys
// collide); values carry their key id, a version and a checksummed pattern, so a test can tell a
// value of the wrong key or a torn copy from a good one.

import { createHash } from 'node:crypto'

/** SHA-256 of the key id; with `home`, its first word (the home slot, little-endian) is forced to it. */
export function digestFor (id: number, home?: number): Uint8Array {
  const digest = new Uint8Array(createHash('sha256').update(`key:${id}`).digest())
  if (home !== undefined) new DataView(digest.buffer).setUint32(0, home, true)
  return digest
}

export interface TestValue {
  readonly id: number
  readonly version: number
  readonly size: number
  /** false when any byte is not what the writer wrote */
  readonly intact: boolean
}

const HEADER = 12

function pattern (id: number, version: number, i: number): number {
  return (id * 131 + version * 17 + i * 7) & 0xff
}

export function encodeValue (id: number, version: number, size = 64): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, HEADER))
  const view = new DataView(bytes.buffer)
  view.setUint32(0, id, true)
  view.setUint32(4, version, true)
  view.setUint32(8, bytes.length, true)
  for (let i = HEADER; i < bytes.length; i++) bytes[i] = pattern(id, version, i)
  return bytes
}

export function decodeValue (bytes: Uint8Array): TestValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const id = view.getUint32(0, true)
  const version = view.getUint32(4, true)
  const size = view.getUint32(8, true)
  let intact = size === bytes.length
  for (let i = HEADER; intact && i < bytes.length; i++) intact = bytes[i] === pattern(id, version, i)
  return { id, version, size, intact }
}

/** A clock tests move by hand. */
export class FakeClock {
  time = 1_000_000
  readonly now = (): number => this.time
  advance (ms: number): void {
    this.time += ms
  }
}
