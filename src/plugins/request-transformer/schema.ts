// Kong's request-transformer schema (kong/plugins/request-transformer/schema.lua): http_method, then
// remove / rename / replace / add / append records of body, headers and querystring arrays (replace also
// has `uri`). Every array defaults to []. Values that are templates are parsed here, at load, so a template
// Tollgate does not evaluate is a config error at its JSON path (template.ts).

import type { ArrayField, FieldSchema, StringField } from '../../config/schema/engine.ts'
import type { PluginSchema } from '../types.ts'
import { headerNameProblem, splitPair } from './pairs.ts'
import { parseTemplate } from './template.ts'

/** a parsed template's refusal, in the words of Kong's check_for_value */
function templateProblem (value: string): string | null {
  const parsed = parseTemplate(value)
  return typeof parsed === 'string' ? `value '${value}' is not in supported format, error:${parsed}` : null
}

/** schema.lua check_for_value: body and querystring entries of rename/replace/add/append */
function checkForValue (entry: string): string | null {
  const { name, value } = splitPair(entry)
  if (value === '') return `key '${name}' has no value`
  return templateProblem(value)
}

/** schema.lua validate_headers, plus the template check Kong leaves to the request (a 500 there) */
function headerWithTemplate (entry: string): string | null {
  const { name, value } = splitPair(entry)
  return headerNameProblem(name) ?? (value === '' ? null : templateProblem(value))
}

/** schema.lua validate_colon_headers: both sides are header names */
function renamedHeader (entry: string): string | null {
  const { name, value } = splitPair(entry)
  return headerNameProblem(name) ?? headerNameProblem(value)
}

const COLON = /^[^:]+:.*$/

function array (element: StringField): ArrayField {
  return { type: 'array', required: true, default: [], elements: element }
}

const strings = array({ type: 'string' })
const colonStrings = array({ type: 'string', custom: checkForValue })

function record (fields: Record<string, FieldSchema>): FieldSchema {
  return { type: 'record', required: true, fields }
}

export const requestTransformerSchema: PluginSchema = {
  name: 'request-transformer',
  noConsumer: false,
  // may be scoped to a consumer group (in Kong Enterprise's plugin scopes reference since 3.4)
  consumerGroups: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      // typedefs.http_method
      http_method: { type: 'string', match: /^[A-Z]+$/, match_description: 'upper-case letters only' },
      remove: record({
        body: strings,
        headers: array({ type: 'string', custom: (entry) => headerNameProblem(splitPair(entry).name) }),
        querystring: strings
      }),
      rename: record({
        body: colonStrings,
        headers: array({ type: 'string', match: COLON, custom: renamedHeader }),
        querystring: colonStrings
      }),
      replace: record({
        body: colonStrings,
        headers: array({ type: 'string', match: COLON, custom: headerWithTemplate }),
        querystring: colonStrings,
        uri: { type: 'string', custom: templateProblem }
      }),
      add: record({
        body: colonStrings,
        headers: array({ type: 'string', match: COLON, custom: headerWithTemplate }),
        querystring: colonStrings
      }),
      append: record({
        body: colonStrings,
        headers: array({ type: 'string', match: COLON, custom: headerWithTemplate }),
        querystring: colonStrings
      })
    }
  }
}
