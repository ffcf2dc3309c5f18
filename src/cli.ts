// `tollgate start|check --config FILE`: the entry point. Exit codes: 0 ok, 1 invalid config or failed
// start, 2 bad usage.

import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfigFile } from './config/load.ts'
import { ConfigError } from './core/errors.ts'
import { createLogger } from './core/log.ts'
import { VERSION } from './core/version.ts'
import { Gateway } from './gateway.ts'

const USAGE = `Usage: tollgate <command> [--config FILE]

Commands:
  start   run the gateway in the foreground (SIGHUP reloads the file, SIGTERM/SIGINT drain and exit)
  check   validate the config file and print every error (exit 0 when valid, 1 otherwise)

Options:
  -c, --config FILE   config file (default ./config.json)
  -h, --help          show this help
  -v, --version       print the version`

export async function main (argv: readonly string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', default: 'config.json' },
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
  const file = resolve(values.config)
  if (command === 'check') return await check(file)
  if (command === 'start') return await start(file)
  process.stderr.write(`unknown command '${command}'\n\n${USAGE}\n`)
  return 2
}

async function check (file: string): Promise<number> {
  try {
    const config = await loadConfigFile(file)
    for (const { path, message } of config.deprecations) process.stderr.write(`${file}: ${path}: deprecated: ${message}\n`)
    process.stdout.write(`${file}: configuration is valid (hash ${config.hash})\n`)
    return 0
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`)
    return 1
  }
}

async function start (file: string): Promise<number> {
  const bootLogger = createLogger('notice')
  let config
  try {
    config = await loadConfigFile(file)
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
  const gateway = new Gateway(config, file, logger)
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
