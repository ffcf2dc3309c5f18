// A request-transformer config turned, once per plugin instance at load, into the lists the access phase
// walks: names lower-cased where Kong lower-cases them, values parsed as templates (template.ts), and
// which request sources the templates read. Nothing here runs per request.

import { splitPair } from './pairs.ts'
import { parseTemplate, type Template } from './template.ts'

export interface RequestTransformerConfig {
  readonly http_method: string | null
  readonly remove: { readonly body: readonly string[], readonly headers: readonly string[], readonly querystring: readonly string[] }
  readonly rename: Section
  readonly replace: Section & { readonly uri: string | null }
  readonly add: Section
  readonly append: Section
}

interface Section {
  readonly body: readonly string[]
  readonly headers: readonly string[]
  readonly querystring: readonly string[]
}

/** one entry: its name, and its value as a literal or a template (null: the entry has no value) */
export interface Rule {
  readonly name: string
  readonly value: string | Template | null
}

/** remove, rename, replace, add, append: Kong's order (access.lua transform_headers and the others) */
export interface RuleSet {
  readonly remove: readonly Rule[]
  readonly rename: readonly Rule[]
  readonly replace: readonly Rule[]
  readonly add: readonly Rule[]
  readonly append: readonly Rule[]
  readonly empty: boolean
}

export interface CompiledTransformer {
  readonly method: string | null
  readonly uri: string | Template | null
  readonly headers: RuleSet
  readonly query: RuleSet
  readonly body: RuleSet
  /** SOURCE_* bits read by any template */
  readonly sources: number
}

export function compileConfig (config: RequestTransformerConfig): CompiledTransformer {
  const state = { sources: 0 }
  const value = (text: string): string | Template | null => {
    if (text === '') return null
    const parsed = parseTemplate(text)
    // the schema refused every template parseTemplate refuses
    if (typeof parsed === 'string') throw new Error(parsed)
    state.sources |= parsed.sources
    return parsed.sources === 0 && parsed.parts.length <= 1 ? (parsed.parts[0] as string | undefined) ?? '' : parsed
  }
  const rules = (entries: readonly string[], lower: boolean, template: boolean): Rule[] => entries.map((entry) => {
    const pair = splitPair(entry)
    return {
      name: lower ? pair.name.toLowerCase() : pair.name,
      value: template ? value(pair.value) : lower ? pair.value.toLowerCase() : pair.value
    }
  })
  const set = (key: 'body' | 'headers' | 'querystring', lower: boolean): RuleSet => {
    const built = {
      remove: rules(config.remove[key], lower, false),
      // a rename's value is the new name, never a template (access.lua iter renders it, but a name with
      // `$(` is refused by validate_colon_headers for headers; for body and query Tollgate takes it as is)
      rename: rules(config.rename[key], lower, false),
      replace: rules(config.replace[key], lower, true),
      add: rules(config.add[key], lower, true),
      append: rules(config.append[key], lower, true)
    }
    const empty = built.remove.length + built.rename.length + built.replace.length + built.add.length + built.append.length === 0
    return { ...built, empty }
  }
  const headers = set('headers', true)
  const query = set('querystring', false)
  const body = set('body', false)
  const uri = config.replace.uri === null ? null : value(config.replace.uri)
  return { method: config.http_method, uri, headers, query, body, sources: state.sources }
}
