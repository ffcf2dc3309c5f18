// Kong's Admin API error bodies (kong/db/errors.lua, kong/api/endpoints.lua), codes and names as Kong
// has them, for the answers a DB-less Admin API gives.

import type { AdminResult } from './types.ts'

/** Kong's kong.db.errors codes used here */
export const ERROR_CODES = {
  INVALID_OFFSET: 7,
  INVALID_SIZE: 9,
  INVALID_OPTIONS: 11,
  OPERATION_UNSUPPORTED: 12,
  DECLARATIVE_CONFIG: 14,
} as const

export const NOT_FOUND: AdminResult = { status: 404, body: { message: 'Not found' } }
export const METHOD_NOT_ALLOWED: AdminResult = { status: 405, body: { message: 'Method not allowed' } }

export function invalidOffset (offset: string, reason: string): AdminResult {
  return {
    status: 400,
    body: { code: ERROR_CODES.INVALID_OFFSET, name: 'invalid offset', message: `'${offset}' is not a valid offset: ${reason}` }
  }
}

export function invalidSize (message: string): AdminResult {
  return { status: 400, body: { code: ERROR_CODES.INVALID_SIZE, name: 'invalid size', message } }
}

export function invalidOptions (option: string, problem: string): AdminResult {
  return {
    status: 400,
    body: { code: ERROR_CODES.INVALID_OPTIONS, name: 'invalid options', message: `invalid option (${option}: ${problem})`, options: { [option]: problem } }
  }
}

/** Kong's DB-less write verbs, as its off strategy words them */
export type WriteOperation = 'create' | 'update' | 'create or update' | 'remove'

/**
 * DB-less Kong's answer to a write on an entity (kong/db/strategies/off): 405 with "operation
 * unsupported". `byField` is the endpoint key ("name", ...) when the entity was addressed by it.
 */
export function operationUnsupported (operation: WriteOperation, entity: string, byField: string | null = null): AdminResult {
  const by = byField === null ? '' : ` by '${byField}'`
  return {
    status: 405,
    body: {
      code: ERROR_CODES.OPERATION_UNSUPPORTED,
      name: 'operation unsupported',
      message: `cannot ${operation} '${entity}' entities${by} when not using a database`
    }
  }
}
