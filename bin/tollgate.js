#!/usr/bin/env node
// Runs the TypeScript sources directly: Node 24 strips types, so there is no build step. Node's module
// compile cache is enabled first (src/core/compile-cache.ts), so the sources are imported after it.
// Exits explicitly once main() is done so a lingering handle can never hold a stopped gateway open.
import { enableModuleCompileCache } from '../src/core/compile-cache.ts'

enableModuleCompileCache()
const { main } = await import('../src/cli.ts')
process.exit(await main(process.argv.slice(2)))
