#!/usr/bin/env node
// Runs the TypeScript sources directly: Node 24 strips types, so there is no build step.
// Exits explicitly once main() is done so a lingering handle can never hold a stopped gateway open.
import { main } from '../src/cli.ts'

process.exit(await main(process.argv.slice(2)))
