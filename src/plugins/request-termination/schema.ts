// Kong's request-termination plugin (kong/plugins/request-termination/schema.lua): answers every request
// itself with a fixed status and message or body, optionally only when a trigger header or query
// argument is present. Field names, defaults and rules are Kong's.

import type { ConfigIssue } from '../../core/errors.ts'
import { isSet } from '../../config/schema/checks.ts'
import type { PluginSchema } from '../types.ts'

const HEADER_NAME = /^[A-Za-z0-9_-]+$/

function headerName (value: string): string | null {
  return HEADER_NAME.test(value)
    ? null
    : `bad header name '${value}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`
}

/** Kong's custom_validator, rule for rule and message for message. */
function checkConfig (config: Record<string, unknown>): ConfigIssue[] {
  const hasBody = isSet(config.body)
  const hasContentType = isSet(config.content_type)
  if (isSet(config.message) && (hasContentType || hasBody)) {
    return [{ path: '', message: 'message cannot be used with content_type or body' }]
  }
  if (hasContentType && !hasBody) return [{ path: '', message: 'content_type requires a body' }]
  if (config.echo === true && (hasContentType || hasBody)) {
    return [{ path: '', message: 'echo cannot be used with content_type and body' }]
  }
  return []
}

export const requestTerminationSchema: PluginSchema = {
  name: 'request-termination',
  noConsumer: false,
  // may be scoped to a consumer group (Kong 3.6 changelog: consumer group scoping added)
  consumerGroups: true,
  configSchema: {
    type: 'record',
    required: true,
    fields: {
      status_code: { type: 'integer', required: true, default: 503, between: [100, 599] },
      /** sent as {"message": ...}; without it, Kong's default text for the status */
      message: { type: 'string' },
      content_type: { type: 'string' },
      /** sent as is, with content_type */
      body: { type: 'string' },
      /** answer with a JSON copy of the request instead (debugging) */
      echo: { type: 'boolean', required: true, default: false },
      /** header or query argument name: terminate only requests that carry it */
      trigger: { type: 'string', custom: headerName },
    },
    checks: checkConfig,
  },
}
