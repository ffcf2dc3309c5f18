// The plugin folder's layout, as the map at the top of its index.ts states it: index.ts alone at the top,
// every other file in the folder for when it runs (config/, main/, worker/, shared/), and which folder may
// load which. `import type` is erased and loads nothing; any other import (even `import { type X }`, kept
// under verbatimModuleSyntax) or dynamic import() loads the module.

import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../src/plugins/openid-connect/', import.meta.url))
const FOLDERS = ['config', 'main', 'shared', 'worker']

/** Per folder, what its files may load from the plugin's other folders; `true`: all of that folder. */
const MAY_LOAD: Readonly<Record<string, Readonly<Record<string, true | readonly string[]>>>> = {
  config: {},
  main: { shared: true },
  worker: { shared: true, config: ['jwk-schema.ts'] },
  shared: {},
  '.': { config: ['schema.ts'], shared: true, main: ['main-service.ts'], worker: ['handler.ts', 'worker-service.ts'] }
}

const STATIC = /^(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?'(\.[^']+)'/gm
const DYNAMIC = /\bimport\(\s*'(\.[^']+)'\s*\)/g

/** The plugin files a file loads at run time, relative to the plugin folder. */
function loads (file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const specs = [...text.matchAll(STATIC)].filter((m) => m[1] === undefined).map((m) => m[2])
  specs.push(...[...text.matchAll(DYNAMIC)].map((m) => m[1]))
  return specs.map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)))
    .filter((target) => !target.startsWith('..'))
}

const files = readdirSync(ROOT, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
  .sort()

t.test('index.ts alone at the top; every other file in one folder per time it runs', async (t) => {
  t.strictSame(files.filter((file) => !file.includes('/')), ['index.ts'], 'only index.ts at the top')
  for (const file of files) {
    if (file.includes('/')) t.ok(FOLDERS.includes(file.split('/')[0]) && file.split('/').length === 2, file)
  }
  for (const folder of FOLDERS) t.ok(files.some((file) => file.startsWith(`${folder}/`)), `${folder}/ holds files`)
})

t.test('a folder loads its own files and only what the map lets it load of the others', async (t) => {
  for (const file of files) {
    const from = file.includes('/') ? file.split('/')[0] : '.'
    for (const target of loads(file)) {
      const [to, name] = target.includes('/') ? target.split('/') : ['.', target]
      if (to === from && from !== '.') continue
      const allowed: true | readonly string[] | undefined = MAY_LOAD[from]?.[to]
      t.ok(allowed === true || (allowed?.includes(name) ?? false), `${file} loads ${target}`)
    }
  }
})

t.test('the pattern sees what it must: a value import, a re-export, a lazy import; not import type', async (t) => {
  t.ok(loads('main/issuers.ts').includes('shared/issuer-url.ts'), 'import and export ... from')
  t.ok(loads('worker/token-flow.ts').includes('config/jwk-schema.ts'), 'value import across folders')
  t.notOk(loads('worker/worker-service.ts').includes('main/issuers.ts'), 'import type is not a load')
  t.strictSame(loads('index.ts').sort(),
    ['config/schema.ts', 'main/main-service.ts', 'worker/handler.ts', 'worker/worker-service.ts'],
    'index.ts: the schema eagerly, type-only messages, the rest lazily')
})
