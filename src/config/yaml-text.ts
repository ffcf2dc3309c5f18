// YAML config text, read as decK reads a state file (go-database-reconciler pkg/file/readfile.go
// readContent: sigs.k8s.io/yaml, which parses with go-yaml v2, i.e. YAML 1.1, then converts to JSON):
// - YAML 1.1 scalars: unquoted y/n, yes/no, on/off (any case go-yaml accepts) are booleans, 0777 is octal,
//   as go-yaml v2 resolves them; a quoted 'on' stays a string. Timestamps stay strings: JSON has no dates,
//   and sigs.k8s.io/yaml writes a go-yaml time back as text. Sexagesimal numbers (`12:30`, YAML 1.1's base
//   60) stay strings too: go-yaml v2 does not resolve them (its resolve() tries strconv.ParseInt/ParseFloat);
//   so do .inf and .nan, which JSON cannot hold (AS_TEXT_SAMPLES).
// - anchors, aliases and `<<` merge keys are resolved; an alias bomb (billion laughs) is refused by the
//   yaml package's maxAliasCount (expanded alias nodes counted), before it can take memory or time.
// - duplicate keys are an error (go-yaml v2 refuses them too: "mapping key already defined").
// - one document per file; `---` starting a second is an error rather than silently ignored.
// Nesting: the yaml package composes recursively and turns a stack overflow into an error at the line
// where it happened, which is reported as "nested too deeply"; a value that parses deeper than MAX_DEPTH
// is refused as JSON is (json-depth.ts).

import { LineCounter, parseDocument, type Document, type Tags } from 'yaml'
import { MAX_DEPTH, tooDeepAt } from './json-depth.ts'

/** A YAML file or body larger than this is refused before parsing: the yaml package needs about 100 bytes
 * of memory and 1 µs per byte of input (a 10 MB file took 11 s and 1.1 GB), so this caps both. */
export const MAX_YAML_BYTES = 8 * 1024 * 1024
/** Expanded alias nodes allowed per document (the yaml package counts them; its default is 100) */
export const MAX_ALIAS_COUNT = 1000

export interface Position { readonly line: number, readonly column: number }

export type YamlResult =
  | { readonly ok: true, readonly value: unknown, readonly positionOf: (path: string) => Position | null }
  | { readonly ok: false, readonly line: number, readonly column: number, readonly message: string }

/**
 * Plain scalars read as text, not as the YAML 1.1 schema's types: timestamps and base-60 numbers (go-yaml
 * v2 leaves them strings), and .inf/.nan (not JSON: decK's JSON conversion fails on them; as text, the
 * schema says "expected a number"). A schema tag that would resolve any of them is left out.
 */
const AS_TEXT_SAMPLES = ['2001-12-14', '2001-12-14t21:59:43.10-05:00', '12:30', '1:20.5', '.inf', '-.Inf', '.nan']
const STACK_OVERFLOW = 'Maximum call stack size exceeded'

function scalarTagsAsDeck (tags: Tags): Tags {
  return tags.filter((tag) => typeof tag === 'string' || !(tag.test instanceof RegExp && AS_TEXT_SAMPLES.some((sample) => (tag.test as RegExp).test(sample))))
}

/** "services[0].routes[1].paths" as the keys getIn walks; quoted keys (joinPath's ["a.b"]) kept whole */
export function pathKeys (path: string): Array<string | number> {
  const keys: Array<string | number> = []
  const PART = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[]+)/g
  for (const [, index, quoted, name] of path.matchAll(PART)) {
    if (index !== undefined) keys.push(Number(index))
    else if (quoted !== undefined) keys.push(JSON.parse(quoted) as string)
    else keys.push(name)
  }
  return keys
}

/** The line and column of the node at a JSON path, or of its nearest ancestor written in the file. */
function positionFinder (doc: Document, lines: LineCounter): (path: string) => Position | null {
  return (path) => {
    const keys = pathKeys(path)
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined
      if (node?.range !== undefined) {
        const { line, col } = lines.linePos(node.range[0])
        return { line, column: col }
      }
    }
    return null
  }
}

function failure (line: number, column: number, message: string): YamlResult {
  return { ok: false, line, column, message }
}

export function parseYamlText (text: string): YamlResult {
  if (Buffer.byteLength(text) > MAX_YAML_BYTES) return failure(1, 1, `the YAML text is larger than ${MAX_YAML_BYTES} bytes`)
  const lines = new LineCounter()
  const doc = parseDocument(text, { version: '1.1', customTags: scalarTagsAsDeck, lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const error = doc.errors[0]
  if (error !== undefined) {
    const { line, col } = lines.linePos(error.pos[0])
    // the yaml package's messages never quote the text when prettyErrors is off
    const message = error.message.includes(STACK_OVERFLOW)
      ? 'nested too deeply'
      : error.code === 'MULTIPLE_DOCS' ? 'a config holds one YAML document: a second one starts here' : error.message
    return failure(line, col, message)
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (err) {
    // the yaml package's ReferenceError "Excessive alias count indicates a resource exhaustion attack"
    const message = (err as Error).message
    return failure(1, 1, message.startsWith('Excessive alias count') ? `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT}): an alias bomb?` : message)
  }
  const deep = tooDeepAt(value)
  if (deep !== null) {
    const at = positionFinder(doc, lines)(deep) ?? { line: 1, column: 1 }
    return failure(at.line, at.column, `nested too deeply (more than ${MAX_DEPTH} levels) at ${deep}`)
  }
  return { ok: true, value, positionOf: positionFinder(doc, lines) }
}
