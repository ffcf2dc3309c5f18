// decK reads YAML into typed Go structs through sigs.k8s.io/yaml, which parses with go-yaml v2 (YAML 1.1)
// and then, where the struct field is a string, writes a scalar go-yaml resolved to a bool or a number
// back as text (convertToJSONableObject: true -> "true", 0777 -> "511"). So `name: yes` on a service is
// the name "true" for decK, while `hide_credentials: yes` in a plugin's config (an untyped map in go-kong)
// stays the boolean true. This does the same after the fact: where the schema said "expected a string" of
// a YAML boolean or number outside a plugin's config, the value becomes its text and the config is loaded
// again. Run only on a failed load, never on the request path.

import type { ConfigIssue } from '../core/errors.ts'
import { pathKeys } from './yaml-text.ts'

/** go-kong's plugin `config` and decK's `_plugin_configs` are maps: no type to convert to, as in decK */
const UNTYPED = /(?:^|\.)plugins\[\d+\]\.config(?:[.[]|$)|^_plugin_configs(?:[.[]|$)/

function valueAt (root: unknown, keys: ReadonlyArray<string | number>): unknown {
  let value = root
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string | number, unknown>)[key]
  }
  return value
}

function setAt (root: unknown, keys: ReadonlyArray<string | number>, value: unknown): void {
  const parent = valueAt(root, keys.slice(0, -1)) as Record<string | number, unknown>
  parent[keys[keys.length - 1]] = value
}

/**
 * A copy of the document with each such scalar as text, or null when no issue is one (nothing to retry).
 * `fromYaml` says whether a path of the merged document came from a YAML file.
 */
export function withTypedStrings (document: unknown, issues: readonly ConfigIssue[], fromYaml: (path: string) => boolean): unknown {
  const paths = issues
    .filter((issue) => issue.message === 'expected a string' && !UNTYPED.test(issue.path) && fromYaml(issue.path))
    .map((issue) => pathKeys(issue.path))
    .filter((keys) => ['boolean', 'number'].includes(typeof valueAt(document, keys)))
  if (paths.length === 0) return null
  const copy = structuredClone(document)
  for (const keys of paths) setAt(copy, keys, String(valueAt(copy, keys)))
  return copy
}
