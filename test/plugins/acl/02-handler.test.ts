// acl's access phase (src/plugins/acl/handler.ts) on a stand-in context, for the cases no bundled plugin
// reaches end to end: groups another plugin authenticated (kong.ctx.shared.authenticated_groups, as
// kong/plugins/acl/groups.lua get_authenticated_groups reads them) sent as X-Authenticated-Groups, a
// credential without a consumer, and always_use_authenticated_groups (kong/plugins/acl/handler.lua); and
// Kong Enterprise's include_consumer_groups.

import t from 'tap'
import { createAcl } from '../../../src/plugins/acl/handler.ts'
import type { CredentialIndex } from '../../../src/config/credential-index.ts'
import type { Consumer, ConsumerGroup, ConsumerGroupConsumer, Plugin } from '../../../src/config/types.ts'
import { createConsumerGroupIndex } from '../../../src/config/consumer-group-index.ts'
import type { AuthenticatedCredential, ConfigView, ProxyContext } from '../../../src/plugins/types.ts'

const GROUPS: Readonly<Record<string, readonly string[]>> = { alice: Object.freeze(['admin']) }
const view = {
  consumers: null as never,
  credentials: { groups: (id: string) => GROUPS[id] ?? [] } as unknown as CredentialIndex,
  // alice is in gold and admin (a consumer group named as one of her acl groups), bob only in silver
  consumerGroups: createConsumerGroupIndex({
    consumer_groups: [group('g1', 'gold'), group('g2', 'silver'), group('g3', 'admin')],
    consumer_group_consumers: [member('g1', 'alice'), member('g3', 'alice'), member('g2', 'bob')],
  }),
} satisfies ConfigView

function group (id: string, name: string): ConsumerGroup {
  return { id, name, tags: null, created_at: 0, updated_at: 0 }
}

function member (groupId: string, consumerId: string): ConsumerGroupConsumer {
  return { consumer_group: { id: groupId }, consumer: { id: consumerId } }
}

interface Outcome { status: number | null, message: string | null, headers: Record<string, string | string[]> }

function run (config: Record<string, unknown>, who: { consumer?: string, credential?: AuthenticatedCredential, groups?: unknown }): Outcome {
  const plugin = { name: 'acl', id: 'p', config: { allow: null, deny: null, hide_groups_header: false, always_use_authenticated_groups: false, include_consumer_groups: false, ...config } } as unknown as Plugin
  const acl = createAcl(plugin, 950, null, view)
  const out: Outcome = { status: null, message: null, headers: {} }
  const ctx = {
    consumer: who.consumer === undefined ? null : { id: who.consumer } as Consumer,
    credential: who.credential ?? null,
    shared: who.groups === undefined ? null : { authenticated_groups: who.groups },
    upstreamHeaders: out.headers,
    exit (status: number, message: string) { out.status = status; out.message = message },
  } as unknown as ProxyContext
  acl.access!(ctx)
  return out
}

t.test('authenticated groups without a consumer: checked, sent as X-Authenticated-Groups', async (t) => {
  t.strictSame(run({ allow: ['pro'] }, { groups: ['hello', 'pro'] }), { status: null, message: null, headers: { 'x-authenticated-groups': 'hello, pro' } })
  t.equal(run({ allow: ['pro'] }, { groups: ['hello'] }).status, 403)
  t.equal(run({ allow: ['pro'] }, { groups: 'pro' }).status, 401, 'not a list: no groups')
})

t.test('no consumer and no groups: 401, or 403 when a credential was identified', async (t) => {
  t.strictSame(run({ allow: ['pro'] }, {}), { status: 401, message: 'Unauthorized', headers: {} })
  t.strictSame(run({ allow: ['pro'] }, { credential: { id: 'c', consumer_id: null } }),
    { status: 403, message: 'You cannot consume this service', headers: {} })
})

t.test("the credential's consumer_id stands for the consumer", async (t) => {
  t.strictSame(run({ allow: ['admin'] }, { credential: { id: 'c', consumer_id: 'alice' } }).headers, { 'x-consumer-groups': 'admin' })
})

t.test('authenticated groups override an anonymous consumer, and any consumer with always_use_authenticated_groups', async (t) => {
  t.strictSame(run({ allow: ['pro'] }, { consumer: 'alice', groups: ['pro'] }).headers, { 'x-authenticated-groups': 'pro' }, 'anonymous: no credential')
  const credential = { id: 'c', consumer_id: 'alice' }
  t.strictSame(run({ allow: ['admin'] }, { consumer: 'alice', credential, groups: ['pro'] }).headers, { 'x-consumer-groups': 'admin' })
  t.equal(run({ allow: ['admin'], always_use_authenticated_groups: true }, { consumer: 'alice', credential, groups: ['pro'] }).status, 403)
  t.strictSame(run({ allow: ['admin'], always_use_authenticated_groups: true }, { consumer: 'alice', credential }).headers,
    { 'x-consumer-groups': 'admin' }, 'no authenticated groups: the consumer groups')
})

t.test('include_consumer_groups: consumer group names count as groups and follow the acl groups in the header', async (t) => {
  const credential = { id: 'c', consumer_id: 'alice' }
  t.equal(run({ allow: ['gold'] }, { consumer: 'alice', credential }).status, 403, 'off: a consumer group is no acl group')
  t.strictSame(run({ allow: ['gold'], include_consumer_groups: true }, { consumer: 'alice', credential }),
    { status: null, message: null, headers: { 'x-consumer-groups': 'admin, gold' } }, 'admin once: an acl group and a group of that name')
  t.equal(run({ deny: ['silver'], include_consumer_groups: true }, { consumer: 'bob', credential: { id: 'c', consumer_id: 'bob' } }).status, 403)
  t.strictSame(run({ deny: ['gold'], include_consumer_groups: true }, { consumer: 'bob', credential: { id: 'c', consumer_id: 'bob' } }).headers,
    { 'x-consumer-groups': 'silver' }, 'a consumer only in consumer groups: their names')
  t.equal(run({ allow: ['gold'], include_consumer_groups: true }, { consumer: 'carol' }).status, 403,
    'in no group at all: the empty list is checked, 403 even without a credential (401 without the option)')
  t.equal(run({ allow: ['gold'] }, { consumer: 'carol' }).status, 401)
})
