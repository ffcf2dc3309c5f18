// The YAML reader (yaml-text.ts): YAML 1.1 scalars as decK's go-yaml v2 resolves them, anchors, aliases
// and merge keys, one document, duplicate keys, errors with line and column, and the bounds: an alias
// bomb, deep nesting, a text over MAX_YAML_BYTES. Property: any text gives a result, never a throw, and
// any JSON value written as JSON text reads back the same.

import t from 'tap'
import fc from 'fast-check'
import { MAX_YAML_BYTES, parseYamlText, pathKeys } from '../../../src/config/yaml-text.ts'

function value (text: string): unknown {
  const parsed = parseYamlText(text)
  if (!parsed.ok) throw new Error(`unexpected failure: ${parsed.message}`)
  return parsed.value
}

function failure (text: string): { line: number, column: number, message: string } {
  const parsed = parseYamlText(text)
  if (parsed.ok) throw new Error('expected a failure')
  return parsed
}

t.test('YAML 1.1 booleans, as go-yaml v2 (decK) resolves unquoted scalars', async (t) => {
  for (const word of ['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']) t.same(value(`a: ${word}`), { a: true }, `${word} is true`)
  for (const word of ['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']) t.same(value(`a: ${word}`), { a: false }, `${word} is false`)
  t.same(value('a: "on"\nb: \'yes\'\nc: !!str off'), { a: 'on', b: 'yes', c: 'off' }, 'quoted or tagged: strings')
  t.same(value('a: yEs\nb: oN'), { a: 'yEs', b: 'oN' }, 'mixed case is not a boolean in go-yaml either')
})

t.test('other YAML 1.1 scalars: octal, null forms; timestamps and base-60 stay text, as go-yaml v2 leaves them', async (t) => {
  t.same(value('a: 0777\nb: 0x1F\nc: ~\nd: null\ne:\nf: 2001-12-14\ng: 12:30'), { a: 511, b: 31, c: null, d: null, e: null, f: '2001-12-14', g: '12:30' })
  t.same(value('a: 1.5\nb: 1e3\nc: -2\nd: .inf\ne: .NaN\nf: 2001-12-14t21:59:43.10-05:00'), { a: 1.5, b: 1000, c: -2, d: '.inf', e: '.NaN', f: '2001-12-14t21:59:43.10-05:00' },
    'JSON has no infinity or NaN: as text, which the schema refuses where a number is expected')
})

t.test('anchors, aliases and << merge keys are resolved', async (t) => {
  const text = [
    'defaults: &defaults',
    '  retries: 3',
    '  connect_timeout: 1000',
    'services:',
    '  - <<: *defaults',
    '    name: a',
    '    retries: 5',
    '  - <<: [*defaults]',
    '    name: b',
    'tags: &tags [x, z]',
    'more: *tags',
  ].join('\n')
  t.same(value(text), {
    defaults: { retries: 3, connect_timeout: 1000 },
    services: [{ retries: 5, connect_timeout: 1000, name: 'a' }, { retries: 3, connect_timeout: 1000, name: 'b' }],
    tags: ['x', 'z'],
    more: ['x', 'z'],
  })
})

t.test('syntax errors give the line and column', async (t) => {
  t.match(failure('a: 1\nb: [1, 2\nc: 3\n'), { line: 3, column: 1 })
  t.match(failure('services:\n  - name: a\n  name: b\n'), { line: 3 })
  t.match(failure('a: 1\nb: 2\na: 3\n'), { line: 3, column: 1, message: /unique/ }, 'a duplicate key, as go-yaml refuses it')
  t.match(failure('a: 1\n---\nb: 2\n'), { line: 2, message: /one YAML document/ })
  t.match(failure('a: *nope\n'), { message: /alias/i })
})

t.test('an alias bomb (billion laughs) is refused quickly by the expanded-node count', async (t) => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i)
    const name = String.fromCharCode(97 + i)
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`)
  }
  const started = performance.now()
  t.match(failure(levels.join('\n')), { message: /alias bomb/ })
  t.ok(performance.now() - started < 2000, 'within 2 s')
  // a few aliases of a large node are fine: the count is of alias expansions, not of their size
  t.same((value('a: &a [1, 2, 3]\nb: *a\nc: *a') as { c: number[] }).c, [1, 2, 3])
})

t.test('deep nesting is an error at its line, never a stack overflow', async (t) => {
  const flow = failure(`a: ${'['.repeat(100_000)}`)
  t.match(flow, { line: 1, message: /nested too deeply/ })
  const block = failure(Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1')
  t.match(block, { message: /nested too deeply/ })
})

t.test('a text over MAX_YAML_BYTES is refused before parsing', async (t) => {
  const started = performance.now()
  t.match(failure('#'.repeat(MAX_YAML_BYTES + 1)), { message: /larger than/ })
  t.ok(performance.now() - started < 1000)
})

t.test('positionOf: the line and column of a path, or of its nearest written ancestor', async (t) => {
  const parsed = parseYamlText('services:\n  - name: a\n    routes:\n      - name: r\n        paths: [/x]\n')
  if (!parsed.ok) throw new Error('expected ok')
  t.same(parsed.positionOf('services[0].routes[0].paths[0]'), { line: 5, column: 17 })
  t.same(parsed.positionOf('services[0].routes[0].hosts'), { line: 4, column: 9 }, 'a missing field: its entity')
  t.same(parsed.positionOf('services[0].name'), { line: 2, column: 11 })
  t.same(pathKeys('a.b[2]["x.y"].c'), ['a', 'b', 2, 'x.y', 'c'])
})

t.test('property: any text gives a result or a failure, never a throw', async () => {
  const atoms = fc.constantFrom('a', ':', ' ', '\n', '-', '[', ']', '{', '}', '&x', '*x', '<<', '!!str', '"', "'", '#', '---', '? ', '|', '>', ',', 'yes', '0777', '\t', '%YAML 1.1\n', '\\')
  fc.assert(fc.property(fc.oneof(fc.string(), fc.array(atoms, { maxLength: 60 }).map((a) => a.join(''))), (text) => {
    const parsed = parseYamlText(text)
    return parsed.ok || (parsed.line >= 1 && parsed.column >= 1 && parsed.message.length > 0)
  }), { numRuns: 500 })
})

t.test('property: JSON text reads back as the same value (JSON is YAML), prototype untouched', async () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
    const parsed = parseYamlText(JSON.stringify(json))
    if (!parsed.ok) return false
    return JSON.stringify(parsed.value) === JSON.stringify(json) && ({} as Record<string, unknown>).polluted === undefined
  }), { numRuns: 300 })
  const parsed = parseYamlText('{"__proto__": {"polluted": 1}}')
  if (!parsed.ok) throw new Error('expected ok')
  if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('polluted')
})
