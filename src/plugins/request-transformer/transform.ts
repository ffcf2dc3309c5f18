// The transformations of Kong's request-transformer (kong/plugins/request-transformer/access.lua), each on
// one already-parsed structure, in Kong's order remove, rename, replace, add, append. Pure functions of
// the compiled rules (compile.ts) and a template environment, so they are unit-tested without a gateway.

import type { QueryArgs } from '../request-termination/echo.ts'
import { appendArgValue } from './args.ts'
import type { Rule, RuleSet } from './compile.ts'
import { render, type Template, type TemplateEnv } from './template.ts'

export type Headers = Record<string, string | string[]>

/** an own property's value: names come from config and requests, and must never find Object.prototype's */
export function own<T> (target: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(target, name) ? target[name] : undefined
}

export function valueOf (value: string | Template, env: TemplateEnv): string {
  return typeof value === 'string' ? value : render(value, env)
}

/** access.lua transform_headers, on the headers sent upstream (lower-cased names) */
export function transformHeaders (rules: RuleSet, headers: Headers, env: TemplateEnv): void {
  for (const rule of rules.remove) delete headers[rule.name]
  for (const rule of rules.rename) {
    const to = rule.value as string
    const value = own(headers, rule.name)
    if (to === rule.name || value === undefined) continue
    delete headers[rule.name]
    setOwn(headers, to, value)
  }
  // an entry without a value (`x-a:`) changes nothing (Kong: replace clears the header from its table,
  // which set_headers then leaves as it was)
  for (const rule of rules.replace) {
    if (rule.value !== null && (own(headers, rule.name) !== undefined || rule.name === 'host')) {
      setOwn(headers, rule.name, valueOf(rule.value, env))
    }
  }
  for (const rule of rules.add) {
    if (rule.value !== null && own(headers, rule.name) === undefined && rule.name !== 'host') {
      setOwn(headers, rule.name, valueOf(rule.value, env))
    }
  }
  for (const rule of rules.append) {
    if (rule.value === null) continue
    const current = own(headers, rule.name)
    const value = valueOf(rule.value, env)
    setOwn(headers, rule.name, current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value])
  }
}

/** access.lua transform_querystrings (and transform_url_encoded_body, with `hasBody` for its length checks) */
export function transformArgs (rules: RuleSet, args: QueryArgs, env: TemplateEnv, hasBody: boolean): boolean {
  let changed = false
  if (hasBody) {
    for (const rule of rules.remove) {
      delete args[rule.name]
      changed = true
    }
    for (const rule of rules.rename) changed = renameArg(args, rule) || changed
    for (const rule of rules.replace) {
      if (args[rule.name] !== undefined) {
        args[rule.name] = valueOf(rule.value!, env)
        changed = true
      }
    }
  }
  for (const rule of rules.add) {
    if (args[rule.name] === undefined) {
      setOwn(args, rule.name, valueOf(rule.value!, env))
      changed = true
    }
  }
  for (const rule of rules.append) {
    setOwn(args, rule.name, appendArgValue(args[rule.name], valueOf(rule.value!, env)))
    changed = true
  }
  return changed
}

function renameArg (args: Record<string, unknown>, rule: Rule): boolean {
  const to = rule.value as string
  const value = own(args, rule.name)
  if (to === rule.name || value === undefined) return false
  delete args[rule.name]
  setOwn(args, to, value)
  return true
}

/** Lua's truthiness for a decoded JSON value: nil and false are false (JSON null is cjson.null, true) */
function truthy (value: unknown): boolean {
  return value !== undefined && value !== false
}

/**
 * access.lua transform_json_body on a parsed object: remove, rename and replace only when the request had
 * a body, add when the name is absent or false, append as append_value. Returns whether to re-encode.
 */
export function transformJson (rules: RuleSet, body: Record<string, unknown>, env: TemplateEnv, hasBody: boolean): boolean {
  let changed = false
  if (hasBody) {
    for (const rule of rules.remove) {
      delete body[rule.name]
      changed = true
    }
    for (const rule of rules.rename) {
      if (!truthy(own(body, rule.name))) continue
      changed = renameArg(body, rule) || changed
    }
    for (const rule of rules.replace) {
      if (truthy(own(body, rule.name))) {
        setOwn(body, rule.name, valueOf(rule.value!, env))
        changed = true
      }
    }
  }
  for (const rule of rules.add) {
    if (!truthy(own(body, rule.name))) {
      setOwn(body, rule.name, valueOf(rule.value!, env))
      changed = true
    }
  }
  for (const rule of rules.append) {
    const current = own(body, rule.name)
    const value = valueOf(rule.value!, env)
    setOwn(body, rule.name, typeof current === 'string' ? [current, value] : Array.isArray(current) ? [...current, value] : [value])
    changed = true
  }
  return changed
}

/** an own property even for "__proto__" (a plain assignment would set the prototype) */
function setOwn (target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true })
}
