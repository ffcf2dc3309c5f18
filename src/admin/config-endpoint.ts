// GET and POST /config (kong/api/routes/config.lua, DB-less). POST validates the whole document (every
// error in Kong's declarative shape), merges the settings (posted-settings.ts), answers 304 to ?check_hash=1
// when nothing would change, 429 while another reload is in flight (as Kong, which refuses rather than
// queues), and otherwise swaps the config into every worker before answering 201.

import { ConfigError, type ConfigIssue } from '../core/errors.ts'
import { loadConfigObject } from '../config/load.ts'
import type { LoadedConfig } from '../config/types.ts'
import { entitiesById, exportedDocument } from './config-export.ts'
import { readConfigInput } from './config-input.ts'
import { fixedSettingIssues, mergeSettings } from './posted-settings.ts'
import { declarativeErrorBody } from './declarative-errors.ts'
import { METHOD_NOT_ALLOWED } from './kong-errors.ts'
import type { AdminRequest, AdminResult } from './types.ts'

export const ADMIN_SOURCE = '<admin>'
/** seconds a client is told to wait when a reload is in flight; reloads take milliseconds to seconds */
const RETRY_AFTER_S = '1'

export interface ConfigEndpointOptions {
  config (): LoadedConfig
  /** swaps a config into every worker (Supervisor.reload) */
  reload (config: LoadedConfig): Promise<{ readonly ok: boolean, readonly message: string | null }>
  /** true while a reload from elsewhere (SIGHUP) is in flight */
  reloading (): boolean
}

/** Kong's truthy() for flatten_errors */
function truthy (value: string | null): boolean {
  return value !== null && ['true', '1', 'on', 'yes'].includes(value.toLowerCase())
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export class ConfigEndpoint {
  readonly #options: ConfigEndpointOptions
  #posting = false
  /** POST /config bodies refused as invalid (tollgate_config_reloads_total{outcome="rejected"}) */
  rejected = 0

  constructor (options: ConfigEndpointOptions) {
    this.#options = options
  }

  readonly handle = async (req: AdminRequest): Promise<AdminResult | null> => {
    if (req.pathname !== '/config' && req.pathname !== '/config/') return null
    if (req.method === 'GET' || req.method === 'HEAD') {
      return { status: 200, body: { config: JSON.stringify(exportedDocument(this.#options.config())) } }
    }
    if (req.method === 'POST') return await this.#post(req)
    return METHOD_NOT_ALLOWED
  }

  #reject (issues: readonly ConfigIssue[], document: unknown, req: AdminRequest): AdminResult {
    this.rejected++
    return { status: 400, body: declarativeErrorBody(issues, document, truthy(req.query.get('flatten_errors'))) }
  }

  async #post (req: AdminRequest): Promise<AdminResult> {
    const input = await readConfigInput(req)
    if ('status' in input) {
      if (input.status === 400) this.rejected++
      return input
    }
    const running = this.#options.config()
    const document = isRecord(input.document) ? input.document : {}
    const fixed = fixedSettingIssues(document, running)
    let loaded: LoadedConfig
    try {
      // no environment: decK substitutes placeholders client-side; the Admin API takes them literally
      loaded = loadConfigObject(input.document, ADMIN_SOURCE, null)
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      return this.#reject([...err.issues, ...fixed], input.document, req)
    }
    if (fixed.length > 0) return this.#reject(fixed, input.document, req)
    const merged = mergeSettings(document, loaded, running)
    if (req.query.get('check_hash') === '1' && merged.hash === running.hash) return { status: 304 }
    if (this.#posting || this.#options.reloading()) {
      return { status: 429, body: { message: 'Currently loading previous configuration' }, headers: { 'retry-after': RETRY_AFTER_S } }
    }
    this.#posting = true
    try {
      const result = await this.#options.reload(merged)
      if (!result.ok) {
        const issue = { path: '', message: `the workers could not apply the configuration: ${result.message ?? 'unknown reason'}` }
        return { status: 400, body: declarativeErrorBody([issue], input.document, false) }
      }
    } finally {
      this.#posting = false
    }
    return { status: 201, body: entitiesById(merged) }
  }
}
