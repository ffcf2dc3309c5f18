// The demo's config file (config.json, or config.yaml with --config) as a plain document, before the demo
// sets its listeners and prefix and the loader validates it.

import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { formatOfFile, parseConfigText } from '../config/config-text.ts'
import { ConfigError } from '../core/errors.ts'

export async function readConfigDocument (path: string): Promise<Record<string, unknown>> {
  const file = resolve(path)
  const parsed = parseConfigText(await readFile(file, 'utf8'), formatOfFile(file))
  if (!parsed.ok) throw new ConfigError(file, [{ path: '', message: parsed.message }])
  return parsed.value as Record<string, unknown>
}
