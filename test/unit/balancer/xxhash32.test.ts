// XXH32 against published vectors (xxHash's own, python-xxhash's README, lua xxhash's README), covering the
// short path (< 16 bytes) and the four-lane path, and the latin1-as-bytes rule for wire strings.

import t from 'tap'
import { xxhash32, xxhash32Bytes } from '../../../src/balancer/xxhash32.ts'

t.test('known XXH32 values (seed 0)', async (t) => {
  t.equal(xxhash32(''), 0x02CC5D05)
  t.equal(xxhash32('a'), 0x550D7456)
  t.equal(xxhash32('abc'), 0x32D153FF)
  t.equal(xxhash32('foobar'), 3986901679)
  t.equal(xxhash32('Nobody inspects the spammish repetition'), 0xE2293B2F)
})

t.test('a latin1 string hashes as its bytes; other strings as UTF-8', async (t) => {
  const latin1 = 'caf\u00e9'
  t.equal(xxhash32(latin1), xxhash32Bytes(Buffer.from(latin1, 'latin1'), 4))
  const wide = 'caf\u00e9 \u{1F600} and more text past sixteen bytes'
  const utf8 = Buffer.from(wide, 'utf8')
  t.equal(xxhash32(wide), xxhash32Bytes(utf8, utf8.length))
  t.not(xxhash32(latin1), xxhash32(Buffer.from(latin1, 'utf8').toString('latin1')))
})

t.test('long values (the scratch buffer grows)', async (t) => {
  const long = 'x'.repeat(100_000)
  t.equal(xxhash32(long), xxhash32Bytes(Buffer.from(long), long.length))
  t.equal(xxhash32('abc'), 0x32D153FF)
})
