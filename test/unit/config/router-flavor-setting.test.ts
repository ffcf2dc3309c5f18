// router_flavor (kong.conf; kong/templates/kong_defaults.lua `router_flavor = traditional_compatible`,
// kong/conf_loader/constants.lua enum traditional | traditional_compatible | expressions).

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { RESTART_SETTINGS, keepRestartSettings } from '../../../src/config/restart-settings.ts'
import { SOURCE, doc, issuesOf } from './issues.ts'

function flavor (value: unknown): unknown {
  return loadConfigObject(doc({ router_flavor: value }), SOURCE, {}).settings.router_flavor
}

t.test('values', async (t) => {
  const rows: Array<[input: unknown, expected: string, source: string]> = [
    [undefined, 'traditional_compatible', 'kong_defaults.lua default'],
    [null, 'traditional_compatible', 'null means the default'],
    ['traditional_compatible', 'traditional_compatible', 'constants.lua enum'],
    ['traditional', 'traditional', 'constants.lua enum']
  ]
  for (const [input, expected, source] of rows) t.equal(flavor(input), expected, `${String(input)} (${source})`)
})

t.test('expressions is refused with a clear message; anything else lists the choices', async (t) => {
  t.strictSame(issuesOf(doc({ router_flavor: 'expressions' })), [{
    path: 'router_flavor',
    message: "router_flavor 'expressions' is not supported by Tollgate yet: use traditional_compatible or traditional"
  }])
  t.strictSame(issuesOf(doc({ router_flavor: 'atc' })), [{
    path: 'router_flavor',
    message: 'expected one of: traditional_compatible, traditional'
  }])
  t.strictSame(issuesOf(doc({ router_flavor: 1 })).map((i) => i.path), ['router_flavor'])
})

t.test('a change needs a restart: a reload keeps the running flavor and names it', async (t) => {
  t.ok(RESTART_SETTINGS.includes('router_flavor'))
  const running = loadConfigObject(doc(), SOURCE, {})
  const next = loadConfigObject(doc({ router_flavor: 'traditional' }), SOURCE, {})
  const { config, changed } = keepRestartSettings(next, running)
  t.strictSame(changed, ['router_flavor'])
  t.equal(config.settings.router_flavor, 'traditional_compatible')
})
