// A Kong feature Tollgate has not built is named once per file, with the JSON path of its first use and how
// many more uses there are; every other error is still listed at each of its paths.

import t from 'tap'
import { BUNDLED_PLUGINS } from '../../../src/plugins/bundled.ts'
import { ConfigError } from '../../../src/core/errors.ts'
import { loadConfigObject, oncePerFeature } from '../../../src/config/load.ts'
import { SOURCE, doc } from './issues.ts'

const AVAILABLE = BUNDLED_PLUGINS.map((plugin) => plugin.name).join(', ')

/** The issues in the order the loader found them (document order: the first use comes first). */
function issuesInOrder (input: unknown): ReadonlyArray<{ path: string, message: string }> {
  try {
    loadConfigObject(input, SOURCE, {})
  } catch (err) {
    if (err instanceof ConfigError) return err.issues
    throw err
  }
  throw new Error('the config loaded, but errors were expected')
}

const route = (i: number, extra: Record<string, unknown> = {}) => ({ name: `r${i}`, paths: [`/r${i}`], ...extra })
const oidc = (config: Record<string, unknown>) => ({
  name: 'openid-connect',
  config: { issuer: 'https://idp.example/', auth_methods: ['client_credentials'], ...config },
})
const NOT_GRANT = 'not supported by Tollgate yet (the auth methods implemented are client_credentials, bearer and introspection)'

interface Row {
  readonly from: string
  readonly input: Record<string, unknown>
  readonly want: ReadonlyArray<{ path: string, message: string }>
}

const ROWS: readonly Row[] = [
  {
    from: 'kong/db/schema/entities/routes.lua sources (40 routes, one error)',
    input: doc({ services: [{ name: 's', host: 'h', routes: Array.from({ length: 40 }, (_, i) => route(i, { sources: [{ ip: '10.0.0.1' }] })) }] }),
    want: [{ path: 'services[0].routes[0].sources', message: 'sources (stream routing) are not supported by Tollgate yet (and 39 more)' }],
  },
  {
    from: 'nested and top-level uses of one field are one feature',
    input: doc({ services: [{ name: 's', host: 'h', routes: [route(0, { sources: [{ ip: '10.0.0.1' }] })] }], routes: [route(1, { sources: [{ ip: '10.0.0.2' }], service: 's' })] }),
    want: [{ path: 'services[0].routes[0].sources', message: 'sources (stream routing) are not supported by Tollgate yet (and 1 more)' }],
  },
  {
    from: 'kong/constants.lua BUNDLED_PLUGINS: a plugin Kong has, used three times',
    input: doc({ plugins: [{ name: 'response-ratelimiting', route: 'r0' }, { name: 'response-ratelimiting', route: 'r1' }, { name: 'response-ratelimiting' }], routes: [route(0), route(1)] }),
    want: [{ path: 'plugins[0].name', message: "plugin 'response-ratelimiting' is not supported by Tollgate yet (and 2 more)" }],
  },
  {
    from: 'different features are each named',
    input: doc({ routes: [route(0, { destinations: [{ port: 1 }], sources: [{ ip: '10.0.0.1' }] }), route(1, { destinations: [{ port: 2 }] })], vaults: [{ name: 'env', prefix: 'e' }] }),
    want: [
      { path: 'routes[0].sources', message: 'sources (stream routing) are not supported by Tollgate yet' },
      { path: 'routes[0].destinations', message: 'destinations (stream routing) are not supported by Tollgate yet (and 1 more)' },
      { path: 'vaults', message: "'vaults' entities are not supported by Tollgate yet" },
    ],
  },
  {
    from: 'kong/plugins/openid-connect/schema.lua: one message, told apart by the field it is about',
    input: doc({
      services: [
        { name: 'a', host: 'h', plugins: [oidc({ session_secret: 'x', login_action: 'redirect' })] },
        { name: 'b', host: 'h', plugins: [oidc({ session_secret: 'y' })] },
      ],
    }),
    want: [
      { path: 'services[0].plugins[0].config.login_action', message: NOT_GRANT },
      { path: 'services[0].plugins[0].config.session_secret', message: `${NOT_GRANT} (and 1 more)` },
    ],
  },
  {
    from: 'kong/db/schema/entities/routes.lua: an expressions-flavor dump (expression null, priority 0) loads; a set one is named',
    input: doc({ routes: [route(0, { expression: null, priority: 0 }), route(1, { expression: 'http.path == "/x"', priority: 5 })] }),
    want: [
      { path: 'routes[1].expression', message: 'expression routes (router_flavor = expressions) are not supported by Tollgate yet' },
      { path: 'routes[1].priority', message: 'priority (router_flavor = expressions) is not supported by Tollgate yet' },
    ],
  },
  {
    from: 'errors that are mistakes, not missing features, are each listed',
    input: doc({ plugins: [{ name: 'rate-limitting' }, { name: 'rate-limitting', route: 'r0' }], routes: [route(0, { sources: [{ ip: '10.0.0.1' }] }), route(1, { paths: ['x'] })] }),
    want: [
      { path: 'routes[0].sources', message: 'sources (stream routing) are not supported by Tollgate yet' },
      { path: 'routes[1].paths[0]', message: 'should start with: / (fixed path) or ~/ (regex path)' },
      { path: 'plugins[0].name', message: `plugin 'rate-limitting' not found (available: ${AVAILABLE})` },
      { path: 'plugins[1].name', message: `plugin 'rate-limitting' not found (available: ${AVAILABLE})` },
    ],
  },
]

t.test('each missing feature once, at its first use, with the count of the others', async (t) => {
  for (const row of ROWS) t.same(issuesInOrder(row.input), row.want, row.from)
})

t.test('oncePerFeature keeps the order and leaves other issues alone', async (t) => {
  const issues = [
    { path: 'a[0].x', message: 'x is not supported by Tollgate yet' },
    { path: 'b', message: 'expected a string' },
    { path: 'a[1].x', message: 'x is not supported by Tollgate yet' },
    { path: 'c', message: 'expected a string' },
  ]
  t.same(oncePerFeature(issues), [
    { path: 'a[0].x', message: 'x is not supported by Tollgate yet (and 1 more)' },
    { path: 'b', message: 'expected a string' },
    { path: 'c', message: 'expected a string' },
  ])
})
