// Node's module compile cache (node:module enableCompileCache, https://nodejs.org/api/module.html#module-compile-cache):
// the code V8 compiled for each module, TypeScript already stripped, kept on disk and reused by the next
// start. Tollgate runs its TypeScript sources directly (bin/tollgate.js), and every worker thread loads
// them again, so without it each start strips and compiles the same few hundred files once per thread.
//
// The directory is NODE_COMPILE_CACHE when set, else node_modules/.cache/node-compile-cache in the
// installation (where the test script puts it too), not Node's default under os.tmpdir(): code loaded
// from a directory other local users can write to would be code they could choose. Where the
// installation is read-only, Node reports that it could not enable the cache and every start compiles,
// as before; NODE_DISABLE_COMPILE_CACHE=1 turns it off. A stale entry is never used: Node keys each one
// by the file's content, the Node version and V8's flags.

import { constants, enableCompileCache, flushCompileCache } from 'node:module'
import { fileURLToPath } from 'node:url'

const INSTALLATION_CACHE = fileURLToPath(new URL('../../node_modules/.cache/node-compile-cache', import.meta.url))

/**
 * Enables the cache for this thread and, through NODE_COMPILE_CACHE, for the worker threads started
 * after this (Node reads it when a thread starts). Called before the gateway's modules are loaded.
 */
export function enableModuleCompileCache (): void {
  const result = enableCompileCache(process.env.NODE_COMPILE_CACHE ?? INSTALLATION_CACHE)
  const enabled = result.status === constants.compileCacheStatus.ENABLED ||
    result.status === constants.compileCacheStatus.ALREADY_ENABLED
  if (enabled && result.directory !== undefined) process.env.NODE_COMPILE_CACHE = result.directory
}

/**
 * Writes what this thread compiled so far. Node writes the cache only when a thread exits normally,
 * which a gateway stopped by a signal (its worker threads terminated) never did: without this, every
 * start compiled everything again. Called once a thread has loaded what it serves with; a no-op when the
 * cache is off, and cheap once its entries are on disk.
 */
export function flushModuleCompileCache (): void {
  flushCompileCache()
}
