// `tollgate start|check --config FILE`, `tollgate convert --from FILE --to FILE`: the entry point. Exit
// codes: 0 ok, 1 invalid config, failed start or failed write, 2 bad usage.

import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { convertConfigFiles, loadConfigFiles } from './config/load.ts'
import { ConfigError } from './core/errors.ts'
import { createLogger } from './core/log.ts'
import { VERSION } from './core/version.ts'
import { Gateway } from './gateway.ts'

const USAGE = `Usage: tollgate <command> [--config FILE]...
       tollgate convert --from FILE [--from FILE]... --to FILE [--defaults]

Commands:
  start     run the gateway in the foreground (SIGHUP reloads the files, SIGTERM/SIGINT drain and exit)
  check     validate the config and print every error (exit 0 when valid, 1 otherwise)
  convert   write the config as one JSON file: files merged, YAML as JSON (exit 1 when invalid)

Options:
  -c, --config FILE   config file (.json, .yaml, .yml) or folder of them; repeat to merge several as decK
                      does (default ./config.json)
  --from FILE         convert: the files or folders to read (as --config)
  --to FILE           convert: where to write the JSON ('-' for stdout)
  --defaults          convert: write the config as validated, defaults applied and placeholders substituted
  -h, --help          show this help
  -v, --version       print the version`

export async function main (argv: readonly string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', multiple: true, default: ['config.json'] },
        from: { type: 'string', multiple: true },
        to: { type: 'string' },
        defaults: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      }
    })
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.version === true) {
    process.stdout.write(`tollgate ${VERSION}\n`)
    return 0
  }
  const command = positionals[0]
  if (values.help === true || command === undefined) {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined && values.help !== true ? 2 : 0
  }
  const files = values.config.map((file) => resolve(file))
  if (command === 'check') return await check(files)
  if (command === 'start') return await start(files)
  if (command === 'convert') {
    if (values.from === undefined || values.to === undefined) {
      process.stderr.write(`convert needs --from and --to\n\n${USAGE}\n`)
      return 2
    }
    return await convert(values.from.map((file) => resolve(file)), values.to, values.defaults)
  }
  process.stderr.write(`unknown command '${command}'\n\n${USAGE}\n`)
  return 2
}

async function check (files: readonly string[]): Promise<number> {
  try {
    const config = await loadConfigFiles(files)
    for (const { path, message } of config.deprecations) process.stderr.write(`${config.source}: ${path}: deprecated: ${message}\n`)
    process.stdout.write(`${config.source}: configuration is valid (hash ${config.hash})\n`)
    return 0
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`)
    return 1
  }
}

/** The files as one JSON document (its own file: secrets kept as written, not redacted). */
async function convert (from: readonly string[], to: string, defaults: boolean): Promise<number> {
  let text: string
  try {
    text = `${JSON.stringify(await convertConfigFiles(from, defaults), null, 2)}\n`
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    return 1
  }
  if (to === '-') {
    process.stdout.write(text)
    return 0
  }
  try {
    await writeFile(resolve(to), text, { mode: 0o600 })
  } catch (err) {
    process.stderr.write(`cannot write ${resolve(to)}: ${(err as Error).message}\n`)
    return 1
  }
  process.stdout.write(`${resolve(to)}: written from ${from.join(', ')}\n`)
  return 0
}

async function start (files: readonly string[]): Promise<number> {
  const bootLogger = createLogger('notice')
  const file = files.join(', ')
  let config
  try {
    config = await loadConfigFiles(files)
  } catch (err) {
    bootLogger.log('crit', 'config_invalid', {
      source: file,
      issues: err instanceof ConfigError ? err.issues : undefined,
      error: err instanceof ConfigError ? undefined : err
    })
    return 1
  }
  const logger = createLogger(config.settings.log_level)
  logger.log('notice', 'starting', { version: VERSION, source: file, workers: config.settings.worker_processes, node: process.version })
  const gateway = new Gateway(config, files, logger)
  try {
    await gateway.start()
  } catch (err) {
    logger.log('crit', 'start_failed', { error: err })
    await gateway.stop().catch(() => {})
    return 1
  }
  return await new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: string): void => {
      if (stopping) return
      stopping = true
      logger.log('notice', 'stopping', { signal })
      gateway.stop().then(() => {
        logger.log('notice', 'stopped', {})
        resolve(0)
      }, (err) => {
        logger.log('crit', 'stop_failed', { error: err })
        resolve(1)
      })
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGHUP', () => {
      logger.log('notice', 'reload_requested', { source: file })
      gateway.reloadFromFile().catch((err) => logger.log('error', 'reload_failed', { error: err }))
    })
  })
}
