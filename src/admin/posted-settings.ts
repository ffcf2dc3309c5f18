// The settings part of a config posted to /config. Kong's POST /config carries entities only (kong.conf
// stays as it is), so a setting the document does not give (absent or null) keeps its running value; one
// it gives replaces it. Settings bound at start (listeners, worker count, prefix, shared memory and
// thread pool sizes) cannot change while the gateway runs: they must be absent or equal to the running
// value, else the config is rejected like any invalid one.

import type { ConfigIssue } from '../core/errors.ts'
import { deepFreeze } from '../config/freeze.ts'
import { canonicalJson, configHash } from '../config/hash.ts'
import { SETTING_NAMES, parseSettings } from '../config/settings.ts'
import type { LoadedConfig, Settings } from '../config/types.ts'
import { RESTART_SETTINGS } from '../config/restart-settings.ts'

export const FIXED_SETTINGS: readonly (keyof Settings)[] = RESTART_SETTINGS

function given (document: Readonly<Record<string, unknown>>, name: string): boolean {
  return document[name] !== undefined && document[name] !== null
}

/** A fixed setting the document gives a valid value that differs from the running one is an issue. */
export function fixedSettingIssues (document: Readonly<Record<string, unknown>>, running: LoadedConfig): ConfigIssue[] {
  const invalid: ConfigIssue[] = []
  const parsed = parseSettings(document, invalid)
  const issues: ConfigIssue[] = []
  for (const name of FIXED_SETTINGS) {
    // an invalid value is reported by the loader already
    if (!given(document, name) || invalid.some((issue) => issue.path === name || issue.path.startsWith(`${name}[`))) continue
    if (canonicalJson(parsed[name]) !== canonicalJson(running.settings[name])) {
      issues.push({ path: name, message: 'cannot change while the gateway runs: leave it out, or restart the gateway with the new value' })
    }
  }
  return issues
}

/** The config to make live: `loaded` with the settings the document leaves out taken from `running`. */
export function mergeSettings (document: Readonly<Record<string, unknown>>, loaded: LoadedConfig, running: LoadedConfig): LoadedConfig {
  const settings: Record<string, unknown> = {}
  for (const name of SETTING_NAMES as (keyof Settings)[]) {
    settings[name] = given(document, name) ? loaded.settings[name] : running.settings[name]
  }
  const merged = settings as unknown as Settings
  return deepFreeze({ ...loaded, settings: merged, hash: configHash(merged, loaded.entities) })
}
