// Stage: start, on the main thread (workers/supervisor.ts), only when a proxy_listen entry has `ssl`.
// What every worker's certificate store starts from (certificate-store.ts): the default certificate(s)
// (ssl_cert / ssl_cert_key, else a self-signed pair generated once under prefix/ssl as Kong's
// kong/cmd/utils/prefix_handler.lua gen_default_ssl_cert does, and reused after), the ssl_dhparam file, and
// session ticket keys shared by all workers so that a ticket one worker issued resumes on another (nginx's
// master makes its ticket keys once for all its workers). Files are read here so that workers never touch
// the disk, and a missing file is a ConfigError naming the setting.

import { randomBytes } from 'node:crypto'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ConfigError, errorCode } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { Settings } from '../config/types.ts'
import { DH_GROUPS } from '../config/ssl-settings.ts'

export interface PemPair {
  /** PEM certificate chain */
  readonly cert: string
  /** PEM private key */
  readonly key: string
}

/** Structured-cloneable: it reaches each worker in workerData. */
export interface ServerTlsDefaults {
  /** the default certificate, one pair per key type (RSA and ECDSA side by side) */
  readonly certificates: readonly PemPair[]
  /** the ssl_dhparam file's contents; null for none or a predefined group */
  readonly dhparam: string | null
  /** 48 bytes (node:tls ticketKeys), made once per start */
  readonly ticketKeys: Uint8Array
}

/** kong/conf_loader/constants.lua PREFIX_PATHS ssl_cert_default(_ecdsa), ssl_cert_key_default(_ecdsa) */
const DEFAULT_FILES = [
  { cert: 'kong-default.crt', key: 'kong-default.key', algorithm: 'rsa' },
  { cert: 'kong-default-ecdsa.crt', key: 'kong-default-ecdsa.key', algorithm: 'ecdsa' },
] as const

export function servesTls (settings: Settings): boolean {
  return settings.proxy_listen.some((address) => address.flags.includes('ssl'))
}

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

async function readSetting (path: string, setting: string, source: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(source, [{ path: setting, message: `cannot read ${path} (${errorCode(err) ?? 'error'})` }])
  }
}

/** The generated pairs under prefix/ssl, made on first use; the log says where they are. */
async function defaultPairs (prefix: string, logger: Logger): Promise<PemPair[]> {
  const dir = resolve(prefix, 'ssl')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const pairs: PemPair[] = []
  for (const file of DEFAULT_FILES) {
    const certPath = join(dir, file.cert)
    const keyPath = join(dir, file.key)
    if (!await exists(certPath) || !await exists(keyPath)) {
      // loaded here, not with this module: @peculiar/x509 and its ASN.1 and tsyringe dependencies cost every
      // thread that imports this file (compile-runtime.ts does, in each worker) about 70 ms of start-up, and
      // only a first start without ssl_cert ever generates a pair
      const { generateSelfSigned } = await import('./self-signed.ts')
      const made = await generateSelfSigned(file.algorithm)
      await writeFile(keyPath, made.key, { mode: 0o600 })
      await writeFile(certPath, made.cert)
      logger.log('notice', 'default_certificate_generated', { cert: certPath, key: keyPath, algorithm: file.algorithm })
    }
    pairs.push({ cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') })
  }
  logger.log('info', 'default_certificate', { dir })
  return pairs
}

/** What workers need to serve TLS, or null when no proxy_listen entry has `ssl`. */
export async function prepareServerTls (settings: Settings, source: string, logger: Logger): Promise<ServerTlsDefaults | null> {
  if (!servesTls(settings)) return null
  const certificates = settings.ssl_cert.length === 0
    ? await defaultPairs(settings.prefix, logger)
    : await Promise.all(settings.ssl_cert.map(async (cert, i) => ({
      cert: await readSetting(cert, `ssl_cert[${i}]`, source),
      key: await readSetting(settings.ssl_cert_key[i], `ssl_cert_key[${i}]`, source),
    })))
  const dh = settings.ssl_dhparam
  const dhparam = dh === null || DH_GROUPS.includes(dh) ? null : await readSetting(dh, 'ssl_dhparam', source)
  return { certificates, dhparam, ticketKeys: new Uint8Array(randomBytes(48)) }
}
