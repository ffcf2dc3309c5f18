// Kong's consumer headers (kong/plugins/key-auth/handler.lua set_consumer): set from the consumer and the
// credential, or removed, so that nothing a client sent under these names reaches the upstream.

import t from 'tap'
import type { Consumer } from '../../../src/config/types.ts'
import { setConsumerHeaders } from '../../../src/plugins/consumer-headers.ts'

const ALICE: Consumer = { id: 'c-1', username: 'alice', custom_id: 'a-1', tags: null, created_at: 0, updated_at: 0 }
const NAMELESS: Consumer = { id: 'c-2', username: null, custom_id: null, tags: null, created_at: 0, updated_at: 0 }

function forged (): Record<string, string | string[]> {
  return {
    host: 'upstream.test',
    'x-consumer-id': 'forged',
    'x-consumer-custom-id': 'forged',
    'x-consumer-username': ['forged', 'twice'],
    'x-credential-identifier': 'forged',
    'x-anonymous-consumer': 'false'
  }
}

t.test('a credential\'s consumer: every header replaced, X-Anonymous-Consumer removed', async (t) => {
  const headers = forged()
  setConsumerHeaders(headers, ALICE, 'cred-1', false)
  t.strictSame(headers, {
    host: 'upstream.test',
    'x-consumer-id': 'c-1',
    'x-consumer-custom-id': 'a-1',
    'x-consumer-username': 'alice',
    'x-credential-identifier': 'cred-1'
  })
})

t.test('what the consumer lacks is removed, not left as the client sent it', async (t) => {
  const headers = forged()
  setConsumerHeaders(headers, NAMELESS, null, false)
  t.strictSame(headers, { host: 'upstream.test', 'x-consumer-id': 'c-2' })
})

t.test('the anonymous consumer', async (t) => {
  const headers = forged()
  setConsumerHeaders(headers, ALICE, null, true)
  t.equal(headers['x-anonymous-consumer'], 'true')
  t.equal(headers['x-credential-identifier'], undefined, 'no credential: its header removed')
  t.equal(headers['x-consumer-id'], 'c-1')
})
