// INTERIM, to be dropped when issue 16 part 1 lands: where a TLS listener gets its certificates. Part 1
// adds `certificates: ServerCertificates | null` to the Runtime (ssl_cert / ssl_cert_key, the declarative
// certificates and snis, the generated default); until then, a Runtime without that field gets one
// certificate for every server name from the PEM files named by TOLLGATE_SSL_CERT and
// TOLLGATE_SSL_CERT_KEY, read again for every Runtime so a reload picks up new files. Replace every
// call with `runtime.certificates` and delete this file.

import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import type { Runtime } from '../config/compile-runtime.ts'
import type { ServerCertificates } from './types.ts'

const interim = new WeakMap<Runtime, ServerCertificates | null>()

export function certificatesOf (runtime: Runtime): ServerCertificates | null {
  const own = (runtime as { certificates?: ServerCertificates | null }).certificates
  if (own !== undefined) return own
  let found = interim.get(runtime)
  if (found === undefined) {
    found = fromEnvironment()
    interim.set(runtime, found)
  }
  return found
}

function fromEnvironment (): ServerCertificates | null {
  const cert = process.env.TOLLGATE_SSL_CERT
  const key = process.env.TOLLGATE_SSL_CERT_KEY
  if (cert === undefined || key === undefined) return null
  const context = createSecureContext({ cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.2' })
  return { contextFor: () => context }
}
