// Load-time deprecation notices. Kong logs a deprecated field each time it validates one (kong/db/schema/init.lua,
// validate_field: `deprecation(field.deprecation.message, ...)`); Tollgate logs each field once per load, when a
// config is started or swapped in (start, SIGHUP, POST /config), naming its first use and how many there are.

import type { Logger } from '../core/log.ts'
import type { LoadedConfig } from './types.ts'

export function logDeprecations (logger: Pick<Logger, 'log'>, config: Pick<LoadedConfig, 'source' | 'deprecations'>): void {
  for (const { message, path, uses } of config.deprecations) {
    logger.log('warn', 'config_deprecated_field', { source: config.source, message, path, uses })
  }
}
