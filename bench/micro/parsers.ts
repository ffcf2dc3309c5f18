// Micro benchmark: the openid-connect parsers of attacker input on pathological inputs of 64 KiB, 256 KiB
// and 1 MiB. Prints ns per input byte for each size and the ratio 1 MiB / 64 KiB of that per-byte time:
// about 1 for a linear parser, about 16 for a quadratic one (a 1 MiB form body of '&' took 5.4 s before).
// Rows that allocate input-sized strings also pay what the baseline row shows: that is allocation, not parsing.
// Run: node --expose-gc bench/micro/parsers.ts [bytes parsed per timed round, default 4 MiB]
// (--expose-gc: a full collection before each round, so one case's garbage is not billed to the next)

import { bodyCredentials, isBase64, parseBasicAuthorization } from '../../src/plugins/openid-connect/worker/credentials.ts'
import { parseCredentialFields, removeCredentialFields } from '../../src/plugins/openid-connect/worker/form-urlencoded.ts'
import { hideBodyCredentials } from '../../src/plugins/openid-connect/worker/hide-credentials.ts'

const BYTES_PER_ROUND = Number(process.argv[2] ?? 4 * 1024 * 1024)
// the fastest of several rounds: on a shared machine the slower ones measure the neighbours
const ROUNDS = 5
const SIZES = [64 * 1024, 256 * 1024, 1024 * 1024]

interface Case {
  readonly parser: string
  readonly input: string
  /** the input text at `size` characters (ASCII, so bytes) */
  make (size: number): string
  /** what the parser takes, made from the text before timing (a body parser's Buffer) */
  prepare? (text: string): unknown
  run (input: never): unknown
}

function fill (unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
}

function withCredentials (filler: string, size: number): string {
  const tail = '&client_id=id&client_secret=secret'
  return fill(filler, size - tail.length) + tail
}

function nestedJson (size: number): string {
  // as deep as allowed (1000), the rest a long string: parsed whole
  const open = '{"a":['.repeat(499)
  const close = ']}'.repeat(499)
  const head = '{"client_id":"x","client_secret":"y","pad":"'
  return open + head + fill('a', size - open.length - close.length - head.length - 2) + '"}' + close
}

const toBuffer = (text: string): Buffer => Buffer.from(text)

const CASES: readonly Case[] = [
  { parser: 'parseCredentialFields', input: "'&' × n", make: (n) => fill('&', n), run: parseCredentialFields },
  { parser: 'parseCredentialFields', input: "'=' × n", make: (n) => fill('=', n), run: parseCredentialFields },
  { parser: 'parseCredentialFields', input: "'a&' × n + creds", make: (n) => withCredentials('a&', n), run: parseCredentialFields },
  { parser: 'parseCredentialFields', input: "'%' × n", make: (n) => fill('%', n), run: parseCredentialFields },
  { parser: 'parseCredentialFields', input: "'client_id=%zz+' × n", make: (n) => fill('client_id=%zz+', n), run: parseCredentialFields },
  { parser: 'removeCredentialFields', input: "'&' × n", make: (n) => fill('&', n), run: removeCredentialFields },
  { parser: 'removeCredentialFields', input: "'client_id=x&' × n", make: (n) => fill('client_id=x&', n), run: removeCredentialFields },
  { parser: 'removeCredentialFields', input: "'a' × n (one name)", make: (n) => fill('a', n), run: removeCredentialFields },
  { parser: 'bodyCredentials form', input: "'+=&%' × n", make: (n) => fill('+=&%', n), prepare: toBuffer, run: (b: Buffer) => bodyCredentials('form', b) },
  { parser: 'bodyCredentials json', input: "'[' × n (too deep)", make: (n) => fill('[', n), prepare: toBuffer, run: (b: Buffer) => bodyCredentials('json', b) },
  { parser: 'bodyCredentials json', input: '1000 deep + long string', make: nestedJson, prepare: toBuffer, run: (b: Buffer) => bodyCredentials('json', b) },
  { parser: 'bodyCredentials json', input: "'\\\"' × n in a string", make: (n) => `{"client_id":"${fill('\\"', n - 17)}"}`, prepare: toBuffer, run: (b: Buffer) => bodyCredentials('json', b) },
  { parser: 'hideBodyCredentials json', input: '1000 deep + long string', make: nestedJson, prepare: toBuffer, run: (b: Buffer) => hideBodyCredentials('json', b) },
  { parser: 'parseBasicAuthorization', input: "'Basic ' + 'QUJD' × n", make: (n) => 'Basic ' + fill('QUJD', n - 6), run: parseBasicAuthorization },
  { parser: 'parseBasicAuthorization', input: "'Basic ' + ' ' × n + 'x:y'", make: (n) => 'Basic ' + fill(' ', n - 9) + 'x:y', run: parseBasicAuthorization },
  { parser: 'parseBasicAuthorization', input: "'Basic ' + ':' × n", make: (n) => 'Basic ' + fill(':', n - 6), run: parseBasicAuthorization },
  { parser: 'isBase64', input: "'A' × n + '='", make: (n) => fill('A', n - 1) + '=', run: isBase64 },
  // no parsing at all: what merely allocating input-sized strings and buffers costs per byte at each size
  // (past V8's regular object size every such allocation is a large object of its own)
  { parser: '(baseline) copy', input: "buffer.toString() of 'a' × n", make: (n) => fill('a', n), prepare: toBuffer, run: (b: Buffer) => b.toString('utf8') }
]

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {})

function nsPerByte (c: Case, input: unknown, bytes: number): number {
  const run = c.run as (input: unknown) => unknown
  const iterations = Math.max(1, Math.floor(BYTES_PER_ROUND / bytes))
  let sink = 0
  collect()
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) if (run(input) !== undefined) sink++
  const elapsed = Number(process.hrtime.bigint() - start)
  if (sink < 0) console.log(sink) // keeps the loop observable
  return elapsed / (iterations * bytes)
}

const rows = CASES.map((c) => {
  const perSize = SIZES.map((size) => {
    const text = c.make(size)
    const input = c.prepare === undefined ? text : c.prepare(text)
    nsPerByte(c, input, size) // warm-up
    return Math.min(...Array.from({ length: ROUNDS }, () => nsPerByte(c, input, size)))
  })
  return {
    parser: c.parser,
    input: c.input,
    'ns/B 64K': Number(perSize[0].toFixed(2)),
    'ns/B 256K': Number(perSize[1].toFixed(2)),
    'ns/B 1M': Number(perSize[2].toFixed(2)),
    '1M/64K': Number((perSize[2] / perSize[0]).toFixed(2))
  }
})

console.log(`credential parsers, pathological inputs, ${BYTES_PER_ROUND} bytes per round × ${ROUNDS} rounds (fastest), ` +
  `node ${process.version}${(globalThis as { gc?: unknown }).gc === undefined ? ', without --expose-gc' : ''}`)
console.table(rows)
