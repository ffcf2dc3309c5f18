// `npm run demo`: Kong's how-to "OpenID Connect with the client credentials grant", end to end, on this
// machine: a development IdP (oidc-provider), an echo upstream and Tollgate with the repo's config.json (or
// `--config config.yaml`, the same in YAML), whose decK placeholders the demo fills in. It walks the
// how-to's three steps, then stays up for curl (Ctrl-C stops everything); `--once` walks the steps and
// exits 0 only if each gave the expected answer. `--nodes 2` runs two gateway nodes that share tokens
// through Redis instead (run-nodes.ts).

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfigObject } from '../config/load.ts'
import { ConfigError } from '../core/errors.ts'
import { createLogger } from '../core/log.ts'
import { Gateway } from '../gateway.ts'
import { readConfigDocument } from './config-document.ts'
import { startDemoBackends } from './backends.ts'
import { runNodes } from './run-nodes.ts'
import { walkHowTo, type DemoEndpoints } from './steps.ts'
import { Cleanups, endDemo } from './demo-end.ts'

const { values } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    config: { type: 'string', default: 'config.json' },
    nodes: { type: 'string' },
    'proxy-listen': { type: 'string' },
    'admin-listen': { type: 'string' }
  }
})

const out = (line = ''): void => { process.stdout.write(`${line}\n`) }

async function main (): Promise<number> {
  const file = resolve(values.config)
  const cleanups = new Cleanups()
  const cleanup = cleanups.run
  try {
    out('Tollgate demo: OpenID Connect with the client credentials grant (Kong\'s how-to)')
    out()
    const { upstream, idp, client, env } = await startDemoBackends(cleanups)
    const prefix = values.once ? await mkdtemp(join(tmpdir(), 'tollgate-demo-')) : resolve('.tollgate')
    if (values.once) cleanups.push(async () => await rm(prefix, { recursive: true, force: true }))
    out(`  dev IdP (oidc-provider)   ${idp.issuer}   client '${client.id}' authenticates with private_key_jwt`)
    out(`  echo upstream             ${upstream.url}`)

    const document = await readConfigDocument(file)
    if (values['proxy-listen'] !== undefined) document.proxy_listen = values['proxy-listen']
    if (values['admin-listen'] !== undefined) document.admin_listen = values['admin-listen']
    document.prefix = prefix
    // the walk-through is the demo's output: the gateway's own log lines only when something is wrong
    document.log_level ??= 'warn'
    const config = loadConfigObject(document, file, { ...process.env, ...env })
    const gateway = new Gateway(config, null, createLogger('warn'))
    await gateway.start()
    cleanups.push(async () => await gateway.stop())
    const endpoints: DemoEndpoints = {
      proxy: `http://${reachable(gateway.supervisor.listen[0].host)}:${gateway.supervisor.listen[0].port}`,
      admin: `http://${gateway.admin.addresses[0]}`,
      clientId: client.id,
      clientSecret: client.secret,
      idp
    }
    // The IdP learns where the gateway publishes its public keys only now that the Admin port is known.
    await idp.setJwtClientJwksUri(`${endpoints.admin}/openid-connect/jwks`)
    out(`  tollgate                  proxy ${endpoints.proxy}   admin ${endpoints.admin}   (${config.settings.worker_processes} workers)`)
    out()

    await walkHowTo(endpoints, out)

    return await endDemo(values.once, [
      'Tollgate is up. Try it yourself:',
      `  curl -i -u '${client.id}:${client.secret}' ${endpoints.proxy}/example-route/anything`,
      `  curl -s ${endpoints.admin}/openid-connect/issuers`,
      `  curl -s ${endpoints.admin}/status`
    ], out, cleanup)
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : (err as Error).message
    process.stderr.write(`\nDemo failed: ${message}\n`)
    await cleanup()
    return 1
  }
}

/** A listen address of 0.0.0.0 / :: is reached through loopback. */
function reachable (host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/** `--nodes 2` (the only count it takes, for now); exit 2 for any other value, as bad usage. */
async function dispatch (): Promise<number> {
  if (values.nodes === undefined) return await main()
  if (values.nodes !== '2') {
    process.stderr.write(`--nodes takes 2 (two gateway nodes sharing tokens through Redis), got '${values.nodes}'\n`)
    return 2
  }
  if (values['proxy-listen'] !== undefined || values['admin-listen'] !== undefined) {
    process.stderr.write('--nodes 2 picks free ports for each node: --proxy-listen and --admin-listen do not apply\n')
    return 2
  }
  return await runNodes({ once: values.once, config: values.config }, out)
}

process.exit(await dispatch())
