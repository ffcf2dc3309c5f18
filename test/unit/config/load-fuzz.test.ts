/* eslint-disable no-template-curly-in-string -- decK placeholders are literal ${{ ... }} text, not templates */
// Config loader fuzzing (hardening issue): random mutations of valid configs (keys deleted, values replaced
// by other JSON types, null, huge strings, deep nesting, entities duplicated, prototype-ish keys) fed to the
// loader. It must never crash: every input either loads or throws a ConfigError whose every issue has a
// string JSON path and message, and the Admin API's error body can be built from those issues.

import t from 'tap'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../../../src/core/errors.ts'
import { loadConfigObject, loadConfigText } from '../../../src/config/load.ts'
import { declarativeErrorBody } from '../../../src/admin/declarative-errors.ts'
import { MAX_DEPTH, tooDeepAt } from '../../../src/config/json-depth.ts'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const fixture = (name: string): Json => JSON.parse(readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), 'utf8')) as Json

const BASES: readonly Json[] = [
  fixture('deck-dump.json'),
  fixture('deck-oidc-dump.json'),
  {
    _format_version: '3.0',
    proxy_listen: '127.0.0.1:0',
    admin_listen: ['127.0.0.1:0'],
    headers: 'server_tokens, latency_tokens',
    trusted_ips: ['10.0.0.0/8'],
    client_max_body_size: '1m',
    services: [{ name: 's', url: 'http://127.0.0.1:9/p', retries: 3, routes: [{ name: 'r', paths: ['/r', '~/x$'], hosts: ['*.example.com'], headers: { 'x-a': ['1'] } }] }],
    routes: [{ name: 'top', paths: ['/top'], service: { name: 's' } }],
    consumers: [{ username: 'c', custom_id: 'c1' }],
    plugins: [{ name: 'request-termination', route: 'top', config: { status_code: 418, message: '${{ env "DECK_MESSAGE" }}' } }],
  },
]

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'id', 'name', 'config', 'services', 'routes', 'plugins', 'url', '', 'x y', '@entity']

/** Deeply nested arrays or objects, built without recursion. */
function nested (depth: number, asObject: boolean): Json {
  let value: Json = 'leaf'
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value]
  return value
}

/** Big values are described, and built only when applied: fast-check never has to print or shrink them. */
class Big {
  readonly build: () => Json
  readonly label: string
  constructor (label: string, build: () => Json) {
    this.label = label
    this.build = build
  }

  toString (): string {
    return this.label
  }
}

type Value = Json | Big

const replacement: fc.Arbitrary<Value> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(null, '', 0, -1, 1e308, 2 ** 53, true, [], {}, [null], { id: null }, '${{ env "DECK_X" }}', '${{ nope }}', 'http://u:p@h', '~/(', '*'),
  fc.nat({ max: 3 }).map((n) => new Big(`'x' * 10^${n + 3}`, () => 'x'.repeat(10 ** (n + 3)))),
  fc.tuple(fc.constantFrom(10, MAX_DEPTH - 3, MAX_DEPTH + 1, 5000), fc.boolean()).map(([depth, asObject]) =>
    new Big(`${asObject ? 'objects' : 'arrays'} nested ${depth} deep`, () => nested(depth, asObject)))
)

function built (value: Value): Json {
  return value instanceof Big ? value.build() : structuredClone(value)
}

type Mutation =
  | { readonly kind: 'delete', readonly at: number }
  | { readonly kind: 'replace', readonly at: number, readonly value: Value }
  | { readonly kind: 'add', readonly at: number, readonly key: string, readonly value: Value }
  | { readonly kind: 'duplicate', readonly at: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: replacement }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...KEYS), fc.string()), value: replacement }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() })
)

type Slot = { readonly parent: Json[] | { [key: string]: Json }, readonly key: string | number }

/** Every place a value sits in `root` (depth-capped: mutations of mutations need not reach every leaf). */
function slots (root: Json): Slot[] {
  const out: Slot[] = []
  const stack: Array<[Json, number]> = [[root, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > 12 || typeof node !== 'object' || node === null) continue
    const entries: Array<[string | number, Json]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node)
    for (const [key, value] of entries) {
      out.push({ parent: node, key })
      stack.push([value, depth + 1])
    }
  }
  return out
}

function containers (root: Json): Array<Json[] | { [key: string]: Json }> {
  const found = slots(root).map((slot) => slot.parent)
  return [...new Set(typeof root === 'object' && root !== null ? [root, ...found] : found)]
}

function apply (root: Json, m: Mutation): Json {
  if (m.kind === 'add') {
    const all = containers(root)
    if (all.length === 0) return root
    const target = all[m.at % all.length]
    if (Array.isArray(target)) target.push(built(m.value))
    else Object.defineProperty(target, m.key, { value: built(m.value), enumerable: true, writable: true, configurable: true })
    return root
  }
  const all = slots(root)
  if (all.length === 0) return m.kind === 'replace' ? built(m.value) : root
  const { parent, key } = all[m.at % all.length]
  const record = parent as Record<string | number, Json>
  if (m.kind === 'replace') record[key] = built(m.value)
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1)
    else delete record[key]
  } else if (Array.isArray(parent)) {
    // the same object twice (a clone could overflow on a deep value): the loader never mutates its input
    parent.push(parent[key as number])
  } else {
    record[key] = [record[key], record[key]]
  }
  return root
}

function checkOutcome (input: unknown, load: () => unknown): void {
  let loaded: unknown
  try {
    loaded = load()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${(err as Error)?.name}: ${(err as Error)?.message}`)
    if (err.issues.length === 0) throw new Error('a ConfigError without issues')
    for (const issue of err.issues) {
      if (typeof issue.path !== 'string' || typeof issue.message !== 'string' || issue.message === '') {
        throw new Error(`malformed issue ${JSON.stringify(issue)}`)
      }
    }
    // the Admin API's 400 body is built from the same issues: it must not crash either (the Admin API
    // parses text, and refuses a document nested past MAX_DEPTH as a parse error before it gets here)
    if (tooDeepAt(input) === null) {
      declarativeErrorBody(err.issues, input, true)
      declarativeErrorBody(err.issues, input, false)
    }
    return
  }
  if (!Object.isFrozen(loaded)) throw new Error('a loaded config is frozen')
}

const ENV = { DECK_MESSAGE: 'hello' }

t.test('mutated configs: a config or a ConfigError, never a crash', async (t) => {
  fc.assert(fc.property(fc.constantFrom(...BASES.keys()), fc.array(mutation, { minLength: 1, maxLength: 5 }), (base, mutations) => {
    let input = structuredClone(BASES[base])
    for (const m of mutations) input = apply(input, m)
    checkOutcome(input, () => loadConfigObject(input, '<fuzz>', ENV))
    // the Admin API's path: no env substitution
    checkOutcome(input, () => loadConfigObject(input, '<fuzz>', null))
  }), { numRuns: 250 })
  t.pass('no crash')
})

t.test('any JSON value at all', async (t) => {
  fc.assert(fc.property(fc.jsonValue(), (input) => {
    checkOutcome(input, () => loadConfigObject(input, '<fuzz>', ENV))
  }), { numRuns: 300 })
  t.pass('no crash')
})

t.test('text: deep nesting and truncated documents', async (t) => {
  const text = JSON.stringify(BASES[2])
  fc.assert(fc.property(fc.nat({ max: text.length }), fc.constantFrom(1, 100, MAX_DEPTH - 2, MAX_DEPTH, 2000, 200_000), fc.constantFrom('[', '{"a":'), (cut, depth, open) => {
    checkOutcome(null, () => loadConfigText(text.slice(0, cut), '<fuzz>', ENV))
    const deep = `{"_format_version":"3.0","_info":${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}`
    checkOutcome(null, () => loadConfigText(deep, '<fuzz>', ENV))
    checkOutcome(null, () => loadConfigText(open.repeat(depth), '<fuzz>', ENV))
  }), { numRuns: 40 })
  t.pass('no crash')
})
