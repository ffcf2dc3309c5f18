// The target entity (kong/db/schema/entities/targets.lua): one host[:port] an upstream balances over, with
// its weight. Nested under an upstream (decK's upstreams[].targets[]) or top-level naming its `upstream`
// (resolve-upstreams.ts). Its `target` is stored as kong/db/dao/targets.lua format_target writes it:
// port 8000 when none is given, IPv4 without leading zeros, IPv6 expanded in brackets.

import { formatHostPort, normalizeHostPort } from './host-port.ts'
import { annotations, foreign, tags, uuid } from './typedefs.ts'
import type { NumberField, RecordField } from './engine.ts'

/** kong/db/dao/targets.lua DEFAULT_PORT */
export const DEFAULT_TARGET_PORT = 8000

/** targets.lua validate_target */
function targetProblem (value: string): string | null {
  return typeof normalizeHostPort(value) === 'string' ? `Invalid target ('${value}'); not a valid hostname or ip address` : null
}

/** kong/db/dao/targets.lua format_target: the target as Kong stores and shows it; null when it is not one. */
export function normalizeTarget (value: string): string | null {
  const address = normalizeHostPort(value)
  return typeof address === 'string' ? null : formatHostPort(address, DEFAULT_TARGET_PORT)
}

/** Kong's typedefs.auto_timestamp_ms: seconds with milliseconds, so not an integer */
const timestampMs: NumberField = { type: 'number', between: [0, 2 ** 53 - 1] }

export const target: RecordField = {
  type: 'record',
  fields: {
    id: uuid,
    // required at top level, set by nesting otherwise: resolve-upstreams.ts says which
    upstream: foreign,
    target: { type: 'string', required: true, custom: targetProblem },
    weight: { type: 'integer', default: 100, between: [0, 65535] },
    tags,
    created_at: timestampMs,
    updated_at: timestampMs,
    ...annotations,
  },
}
