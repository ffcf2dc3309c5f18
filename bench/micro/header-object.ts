// Micro benchmark: building a request's header fields by name and walking them with Object.keys, as
// undici does with a headers object (lib/core/request.js), in the two kinds of object that inherit nothing:
// `Object.create(null)` (V8 keeps it in dictionary mode) and src/proxy/header-fields.ts's HeaderObject
// (fast properties). The fields are a typical client's six plus the eight the gateway adds as Kong does.
// Prints ns per request (median of several timed rounds).
// Run: node bench/micro/header-object.ts [requests per round, default 1000000]

import { HeaderObject, type HeaderFields } from '../../src/proxy/header-fields.ts'

const ITERATIONS = Number(process.argv[2] ?? 1_000_000)
const ROUNDS = 7
const CLIENT: Readonly<Record<string, string>> = {
  host: 'gateway.test:8443', 'user-agent': 'autocannon', accept: '*/*', 'accept-encoding': 'gzip', apikey: 'bench', 'x-trace': 'a1'
}
const ADDED: ReadonlyArray<readonly [string, string]> = [
  ['x-forwarded-for', '127.0.0.1'], ['x-real-ip', '127.0.0.1'], ['x-forwarded-proto', 'https'], ['x-forwarded-host', 'gateway.test'],
  ['x-forwarded-port', '8443'], ['x-forwarded-path', '/proxy'], ['host', 'upstream:80'], ['x-kong-request-id', '5f0c0ffee0000001']
]

function fill (fields: HeaderFields): HeaderFields {
  for (const name in CLIENT) fields[name] = CLIENT[name]
  for (let i = 0; i < ADDED.length; i++) fields[ADDED[i][0]] = ADDED[i][1]
  return fields
}

function walk (fields: HeaderFields): number {
  const keys = Object.keys(fields)
  let length = 0
  for (let i = 0; i < keys.length; i++) length += fields[keys[i]].length
  return length
}

const KINDS: ReadonlyArray<readonly [string, () => HeaderFields]> = [
  ['Object.create(null)', () => Object.create(null) as HeaderFields],
  ['new HeaderObject()', () => new HeaderObject()]
]

let sink = 0
const times = new Map<string, number[]>()
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, make] of KINDS) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < ITERATIONS; i++) sink += walk(fill(make()))
    const ns = Number(process.hrtime.bigint() - start) / ITERATIONS
    // round 0 warms both up
    if (round > 0) times.set(name, [...(times.get(name) ?? []), ns])
  }
}
for (const [name, list] of times) {
  const sorted = [...list].sort((a, b) => a - b)
  console.log(`${name.padEnd(20)} ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ns per request (build ${Object.keys(CLIENT).length + ADDED.length} fields, walk them)`)
}
if (sink === 0) console.log('(no work)')
