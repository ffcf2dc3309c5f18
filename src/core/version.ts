import { readFileSync } from 'node:fs'

// Read once at startup; package.json is the one place the version is written.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

export const VERSION: string = pkg.version
export const SERVER_TOKEN = `tollgate/${VERSION}`
