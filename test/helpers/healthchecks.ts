// Kong's default `healthchecks` record, as the config loader fills it in for an upstream that sets none
// (src/config/schema/healthchecks.ts): what the health tests start from, so they never keep a copy of the
// defaults of their own.

import { loadConfigObject } from '../../src/config/load.ts'
import type { Healthchecks } from '../../src/config/types.ts'

export const DEFAULT_HEALTHCHECKS: Healthchecks = loadConfigObject({ _format_version: '3.0', upstreams: [{ name: 'defaults.upstream' }] }, '<defaults>')
  .entities.upstreams[0].healthchecks
