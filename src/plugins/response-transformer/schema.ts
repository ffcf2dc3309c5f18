// Kong's response-transformer schema (kong/plugins/response-transformer/schema.lua): remove / rename /
// replace / add / append records of `json` and `headers` arrays ("name" for remove, "name:value" for the
// others, rename's value a header name too), and `json_types` (boolean, number or string, by position) on
// replace, add and append. Every array defaults to [].

import type { ArrayField, FieldSchema, StringField } from '../../config/schema/engine.ts'
import type { PluginSchema } from '../types.ts'
import { headerNameProblem, splitPair } from '../request-transformer/pairs.ts'

const COLON = /^[^:]+:.*$/

function array (element: StringField): ArrayField {
  return { type: 'array', required: true, default: [], elements: element }
}

const strings = array({ type: 'string' })
const colonStrings = array({ type: 'string', match: COLON })
const jsonTypes = array({ type: 'string', one_of: ['boolean', 'number', 'string'] })

/** schema.lua validate_colon_headers */
function renamedHeader (entry: string): string | null {
  const { name, value } = splitPair(entry)
  return headerNameProblem(name) ?? headerNameProblem(value)
}

function record (fields: Record<string, FieldSchema>): FieldSchema {
  return { type: 'record', required: true, fields }
}

export const responseTransformerSchema: PluginSchema = {
  name: 'response-transformer',
  noConsumer: false,
  // may be scoped to a consumer group (in Kong Enterprise's plugin scopes reference since 3.4)
  consumerGroups: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      remove: record({ json: strings, headers: strings }),
      rename: record({ json: colonStrings, headers: array({ type: 'string', match: COLON, custom: renamedHeader }) }),
      replace: record({ json: colonStrings, json_types: jsonTypes, headers: colonStrings }),
      add: record({ json: colonStrings, json_types: jsonTypes, headers: colonStrings }),
      append: record({ json: colonStrings, json_types: jsonTypes, headers: colonStrings })
    }
  }
}
