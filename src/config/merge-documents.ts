// Several state files as one document, as decK merges them (go-database-reconciler pkg/file/readfile.go
// getContent: each file read on its own, then `mergo.Merge(&res, content, mergo.WithAppendSlice)`):
// - entity lists (every top-level array: services, routes, plugins, consumers, upstreams, ...) are
//   concatenated in file order, so a plugin in b.yaml may name a service of a.yaml, and a name declared in
//   two files is the usual uniqueness error, which load.ts words with both files;
// - `_plugin_configs` are united by name;
// - anything else (`_format_version`, `_transform`, `_info`, `_workspace`, the settings) must be the same
//   in every file that sets it. Deviation: mergo keeps the first file's value and ignores the others
//   without a word, and decK reads a folder's files in map order, so "first" is not even stable; Tollgate
//   refuses the conflict and names both files instead of guessing.
// `locate` maps a path in the merged document back to the file it came from and the path in that file.

import { isDeepStrictEqual } from 'node:util'
import type { ConfigIssue } from '../core/errors.ts'
import { joinPath } from './schema/engine.ts'

export interface DocumentPart {
  /** the file, as errors name it */
  readonly source: string
  readonly value: unknown
}

export interface PathInPart {
  /** index into the parts */
  readonly part: number
  readonly path: string
}

export interface MergedDocument {
  readonly document: unknown
  readonly locate: (path: string) => PathInPart
  /** conflicts, each naming both files (its `source` is the later one) */
  readonly issues: readonly ConfigIssue[]
}

type Json = Record<string, unknown>

/** top-level key -> for each concatenated part: [first index in the merged list, part] */
type Offsets = Map<string, Array<[number, number]>>

const SHARED_CONFIGS = '_plugin_configs'

function isRecord (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The first key of a path and the rest: "services[2].name" -> ["services", "[2].name"]. */
function splitFirst (path: string): [string, string] {
  const match = /^(?:\["((?:[^"\\]|\\.)*)"\]|([^.[]*))(.*)$/s.exec(path)!
  const key = match[1] !== undefined ? JSON.parse(`"${match[1]}"`) as string : match[2]
  return [key, match[3]]
}

class Merger {
  readonly parts: readonly DocumentPart[]
  readonly out: Json = {}
  /** key (or `_plugin_configs.name`) -> the part that set it first */
  readonly owner = new Map<string, number>()
  readonly offsets: Offsets = new Map()
  readonly issues: ConfigIssue[] = []

  constructor (parts: readonly DocumentPart[]) {
    this.parts = parts
  }

  conflict (key: string, part: number, what: string): void {
    const first = this.parts[this.owner.get(key)!].source
    this.issues.push({ source: this.parts[part].source, path: key, message: `${what} in ${first}: several files must agree` })
  }

  add (part: number, key: string, value: unknown): void {
    const had = Object.hasOwn(this.out, key)
    if (key === SHARED_CONFIGS && isRecord(value) && (!had || isRecord(this.out[key]))) return this.addShared(part, value)
    if (Array.isArray(value) && (!had || this.offsets.has(key))) {
      const list = (this.out[key] ?? []) as unknown[]
      const spans = this.offsets.get(key) ?? []
      spans.push([list.length, part])
      this.offsets.set(key, spans)
      this.out[key] = [...list, ...value]
      if (!had) this.owner.set(key, part)
      return
    }
    if (!had) {
      this.out[key] = value
      this.owner.set(key, part)
    } else if (!isDeepStrictEqual(this.out[key], value)) {
      this.conflict(key, part, 'set to a different value')
    }
  }

  addShared (part: number, shared: Json): void {
    const merged = { ...(this.out[SHARED_CONFIGS] as Json | undefined) }
    for (const [name, config] of Object.entries(shared)) {
      const key = joinPath(SHARED_CONFIGS, name)
      if (!Object.hasOwn(merged, name)) {
        merged[name] = config
        this.owner.set(key, part)
      } else if (!isDeepStrictEqual(merged[name], config)) {
        this.conflict(key, part, 'a different _plugin_config of this name is')
      }
    }
    if (!this.owner.has(SHARED_CONFIGS)) this.owner.set(SHARED_CONFIGS, part)
    this.out[SHARED_CONFIGS] = merged
  }

  locate (path: string): PathInPart {
    const [key, rest] = splitFirst(path)
    const spans = this.offsets.get(key)
    const index = /^\[(\d+)\]/.exec(rest)
    if (spans !== undefined && index !== null) {
      const at = Number(index[1])
      let span = spans[0]
      for (const candidate of spans) if (candidate[0] <= at) span = candidate
      return { part: span[1], path: `${key}[${at - span[0]}]${rest.slice(index[0].length)}` }
    }
    if (key === SHARED_CONFIGS && rest !== '') {
      const [name] = splitFirst(rest.startsWith('.') ? rest.slice(1) : rest)
      const part = this.owner.get(joinPath(SHARED_CONFIGS, name))
      if (part !== undefined) return { part, path }
    }
    return { part: this.owner.get(key) ?? 0, path }
  }
}

/** One document from several; a single part is returned as it is (null, a list: whatever the schema says of it). */
export function mergeDocuments (parts: readonly DocumentPart[]): MergedDocument {
  if (parts.length === 1) return { document: parts[0].value, locate: (path) => ({ part: 0, path }), issues: [] }
  const merger = new Merger(parts)
  parts.forEach(({ source, value }, part) => {
    // an empty YAML file is null: it adds nothing, as in decK
    if (value === null) return
    if (!isRecord(value)) {
      merger.issues.push({ source, path: '', message: 'expected a record' })
      return
    }
    for (const [key, item] of Object.entries(value)) merger.add(part, key, item)
  })
  return { document: merger.out, locate: (path) => merger.locate(path), issues: merger.issues }
}
