// acl's decision (src/plugins/acl/verdict.ts) as kong/plugins/acl/handler.lua get_to_be_blocked makes it,
// and the config schema's rules (kong/plugins/acl/schema.lua: exactly one of allow and deny).

import t from 'tap'
import fc from 'fast-check'
import { rulesOf, verdict, type AclConfig } from '../../../src/plugins/acl/verdict.ts'
import { aclSchema } from '../../../src/plugins/acl/schema.ts'
import { validate } from '../../../src/config/schema/engine.ts'

const config = (fields: Partial<AclConfig>): AclConfig => ({
  allow: null, deny: null, hide_groups_header: false, always_use_authenticated_groups: false, include_consumer_groups: false, ...fields
})

t.test('allow: a caller in one of the groups passes, with its groups joined by ", "', async (t) => {
  const rules = rulesOf(config({ allow: ['admin', 'pro'] }))
  t.equal(verdict(rules, ['hello', 'pro']), 'hello, pro')
  t.equal(verdict(rules, ['hello']), null)
  t.equal(verdict(rules, []), null)
  t.equal(verdict(rulesOf(config({ allow: ['admin'], hide_groups_header: true })), ['admin']), '', 'no header value when hidden')
})

t.test('deny: a caller in one of the groups is blocked; no groups passes with no header', async (t) => {
  const rules = rulesOf(config({ deny: ['admin'] }))
  t.equal(verdict(rules, ['admin', 'pro']), null)
  t.equal(verdict(rules, ['pro']), 'pro')
  t.equal(verdict(rules, []), '')
})

t.test('an empty deny list means allow (handler.lua: deny when deny[1] exists)', async (t) => {
  t.equal(rulesOf(config({ allow: ['a'], deny: [] })).deny, false)
})

t.test('verdict is the obvious set intersection (property)', async (t) => {
  const group = fc.constantFrom('a', 'b', 'c', 'd', 'A', '')
  fc.assert(fc.property(fc.array(group, { minLength: 1 }), fc.array(group), fc.boolean(), (listed, groups, deny) => {
    const result = verdict(rulesOf(config(deny ? { deny: listed } : { allow: listed })), groups)
    const inGroup = groups.some((g) => listed.includes(g))
    return (deny ? inGroup : !inGroup) ? result === null : result === groups.join(', ')
  }))
  t.pass('agrees')
})

t.test("the schema: Kong's defaults and entity checks", async (t) => {
  const check = (input: unknown): { value: unknown, messages: string[] } => {
    const { value, issues } = validate(aclSchema.configSchema, input, 'config')
    return { value, messages: issues.map((i) => `${i.path}: ${i.message}`) }
  }
  t.strictSame(check({ allow: ['a'] }), {
    value: { allow: ['a'], deny: null, hide_groups_header: false, always_use_authenticated_groups: false, include_consumer_groups: false },
    messages: []
  })
  t.strictSame(check({ allow: ['a'], deny: ['b'] }).messages, ["config: exactly one of these fields must be non-empty: 'allow', 'deny'"])
  t.strictSame(check({}).messages, [
    "config: exactly one of these fields must be non-empty: 'allow', 'deny'",
    "config: at least one of these fields must be non-empty: 'allow', 'deny'"
  ])
  t.strictSame(check({ allow: [] }).messages.length, 2, 'an empty list is not set')
  t.strictSame(check({ deny: ['a'], include_consumer_groups: true }).messages, [], 'include_consumer_groups: Kong Enterprise, supported')
  t.match(check({ allow: [1] }).messages, [/config\.allow\[0\]|config\.allow\.1|config\.allow/])
})
