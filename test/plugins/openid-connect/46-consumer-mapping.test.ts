// consumer_claim(s) / consumer_by / by_username_ignore_case, anonymous and credential_claim, as Kong's
// openid-connect maps them (handler.lua, consumers.lua, cache.lua consumers.load).

import t from 'tap'
import fc from 'fast-check'
import { createConsumerIndex } from '../../../src/config/consumer-index.ts'
import type { Consumer } from '../../../src/config/types.ts'
import {
  createConsumerMapper, credentialId, findAnonymous
} from '../../../src/plugins/openid-connect/worker/consumer-mapping.ts'
import type { ConsumerMappingConfig } from '../../../src/plugins/openid-connect/worker/consumer-mapping.ts'

function consumer (id: string, username: string | null, customId: string | null): Consumer {
  return { id, username, custom_id: customId, tags: null, created_at: 0, updated_at: 0 }
}
const ALICE = consumer('0b2f5d3c-6c1e-4a8e-9d0e-2f1f8e6c1a01', 'alice', 'c-1')
const BOB = consumer('0b2f5d3c-6c1e-4a8e-9d0e-2f1f8e6c1a02', 'Bob', 'alice')
const NUM = consumer('0b2f5d3c-6c1e-4a8e-9d0e-2f1f8e6c1a03', '12345', null)
const index = createConsumerIndex([ALICE, BOB, NUM])

const BASE: ConsumerMappingConfig = { consumer_claims: [['sub']], consumer_by: ['username', 'custom_id'], by_username_ignore_case: false, credential_claim: ['sub'] }
function mapper (config: Partial<ConsumerMappingConfig>) {
  const map = createConsumerMapper({ ...BASE, ...config }, index)
  if (map === null) throw new Error('expected a mapper')
  return map
}

t.test('no consumer_claims: no mapping', async (t) => {
  t.equal(createConsumerMapper({ ...BASE, consumer_claims: null }, index), null)
  t.equal(createConsumerMapper({ ...BASE, consumer_claims: [[]] }, index), null)
})

t.test('consumer_by is tried in order for each claim', async (t) => {
  t.equal(mapper({})({ sub: 'alice' }), ALICE, 'username before custom_id')
  t.equal(mapper({ consumer_by: ['custom_id', 'username'] })({ sub: 'alice' }), BOB, 'custom_id before username')
  t.equal(mapper({ consumer_by: ['id'] })({ sub: ALICE.id }), ALICE)
  t.equal(mapper({ consumer_by: ['id'] })({ sub: ALICE.id.toUpperCase() }), ALICE, 'a UUID in any case')
  t.equal(mapper({ consumer_by: ['id'] })({ sub: 'alice' }), 'kong consumer was not found', 'by id only a UUID')
  t.equal(mapper({ consumer_by: [] })({ sub: 'c-1' }), ALICE, 'empty consumer_by: custom_id, username, id')
  t.equal(mapper({ consumer_by: [] })({ sub: BOB.id }), BOB)
})

t.test('by_username_ignore_case: exact first, then any case', async (t) => {
  t.equal(mapper({ consumer_by: ['username'] })({ sub: 'bob' }), 'kong consumer was not found')
  t.equal(mapper({ consumer_by: ['username'], by_username_ignore_case: true })({ sub: 'bob' }), BOB)
  t.equal(mapper({ consumer_by: ['username'], by_username_ignore_case: true })({ sub: 'ALICE' }), ALICE)
})

t.test('the subject is claims.find\'s text', async (t) => {
  t.equal(mapper({})({ sub: 12345 }), NUM, 'a number as Lua prints it')
  t.equal(mapper({})({ sub: ['alice'] }), ALICE, 'a one-element array')
  t.equal(mapper({})({ sub: ['alice', 'x'] }), 'kong consumer was not found', 'joined by spaces: "alice x"')
  t.equal(mapper({ consumer_claims: [['user', 'name']] })({ user: { name: 'alice' } }), ALICE, 'a nested path')
  t.equal(mapper({ consumer_claims: [['user', 'name']] })({}), 'kong consumer was not found (claim (user,name) was not found for consumer mapping)')
  t.equal(mapper({})({ sub: {} }), 'kong consumer was not found (unable to load consumer by a missing subject)', 'an object is ""')
  t.equal(mapper({})({ sub: '' }), 'kong consumer was not found (unable to load consumer by a missing subject)')
  t.equal(mapper({})({ sub: null }), 'kong consumer was not found (claim (sub) was not found for consumer mapping)')
  t.equal(mapper({})({ sub: [true] }), 'kong consumer was not found (claim (sub) was not found for consumer mapping)')
})

t.test('several claims: the first that maps wins', async (t) => {
  const map = mapper({ consumer_claims: [['email'], ['sub']] })
  t.equal(map({ email: 'nobody', sub: 'alice' }), ALICE)
  t.equal(map({ sub: 'alice' }), ALICE)
  t.equal(map({ email: 'alice', sub: 'Bob' }), ALICE)
})

t.test('hostile subjects never reach Object.prototype', async (t) => {
  const map = mapper({ consumer_by: ['username', 'custom_id', 'id'] })
  for (const sub of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) t.equal(map({ sub }), 'kong consumer was not found', sub)
  fc.assert(fc.property(fc.jsonValue(), (sub) => {
    const found = map(JSON.parse(JSON.stringify({ sub })))
    if (typeof found !== 'string' && found !== ALICE && found !== BOB && found !== NUM) throw new Error('not a consumer')
  }), { numRuns: 2000 })
})

t.test('findAnonymous: by id, then by exact username', async (t) => {
  t.equal(findAnonymous(ALICE.id, index), ALICE)
  t.equal(findAnonymous('Bob', index), BOB)
  t.equal(findAnonymous('bob', index), null, 'no ignore-case for anonymous')
  t.equal(findAnonymous('c-1', index), null, 'not by custom_id')
  t.equal(findAnonymous('', index), null)
})

t.test('credentialId is the claim\'s text', async (t) => {
  t.equal(credentialId({ sub: 'abc' }, ['sub']), 'abc')
  t.equal(credentialId({ sub: 42 }, ['sub']), '42')
  t.equal(credentialId({ a: { b: ['x', 'y'] } }, ['a', 'b']), 'x y')
  t.equal(credentialId({}, ['sub']), null)
  t.equal(credentialId({ sub: false }, ['sub']), null)
  t.equal(credentialId({ sub: { x: 1 } }, ['sub']), '', 'Kong gives "" here too')
  t.equal(credentialId({ sub: 'abc' }, []), null)
})
