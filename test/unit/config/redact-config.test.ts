// redactedEntities: plugin configs as they may be shown, secrets replaced by "<redacted>".

import t from 'tap'
import { loadConfigObject } from '../../../src/config/load.ts'
import { redactedEntities } from '../../../src/config/redact-config.ts'
import { pluginSchemas, type PluginSchemaInfo } from '../../../src/plugins/schemas.ts'
import { SOURCE, doc } from './issues.ts'

t.test('secret fields of a plugin config are redacted, the rest kept, the loaded config untouched', async (t) => {
  const schemas = pluginSchemas as Map<string, PluginSchemaInfo>
  schemas.set('test-secrets', {
    name: 'test-secrets',
    PRIORITY: 1,
    VERSION: '0',
    noConsumer: false,
    configSchema: {
      type: 'record',
      fields: {
        client_id: { type: 'string' },
        client_secret: { type: 'string', secret: true },
        unset_secret: { type: 'string', secret: true },
      },
    },
  })
  t.teardown(() => { schemas.delete('test-secrets') })
  const config = loadConfigObject(doc({
    services: [{ name: 's', host: 'h' }],
    plugins: [
      { name: 'test-secrets', config: { client_id: 'gateway', client_secret: 'hunter2' } },
      { name: 'request-termination', config: { message: 'bye' } },
    ],
  }), SOURCE, {})
  const shown = redactedEntities(config.entities)
  t.strictSame(shown.plugins[0].config, { client_id: 'gateway', client_secret: '<redacted>', unset_secret: null })
  t.strictSame(shown.plugins[1].config, config.entities.plugins[1].config)
  t.notMatch(JSON.stringify(shown), /hunter2/)
  t.equal(config.entities.plugins[0].config.client_secret, 'hunter2', 'the loaded config keeps the secret')
  t.equal(shown.services, config.entities.services, 'other entities are passed through')
  t.strictSame({ ...shown.plugins[0], config: null }, { ...config.entities.plugins[0], config: null }, 'other plugin fields kept')
})
