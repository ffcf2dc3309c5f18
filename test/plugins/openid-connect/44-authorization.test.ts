// scopes/audience/groups/roles_required as Kong's handler.lua check_required applies them (OR across the
// entries of *_required, AND across the words of one entry, the claim split on blanks).

import t from 'tap'
import fc from 'fast-check'
import { createAuthorization, splitWords } from '../../../src/plugins/openid-connect/worker/authorization.ts'
import type { AuthorizationConfig } from '../../../src/plugins/openid-connect/worker/authorization.ts'

const NONE: AuthorizationConfig = {
  scopes_required: null,
  scopes_claim: ['scope'],
  audience_required: null,
  audience_claim: ['aud'],
  groups_required: null,
  groups_claim: ['groups'],
  roles_required: null,
  roles_claim: ['roles']
}
function authorize (config: Partial<AuthorizationConfig>) {
  const check = createAuthorization({ ...NONE, ...config })
  if (check === null) throw new Error('expected checks')
  return check
}

t.test('nothing required: no check at all', async (t) => {
  t.equal(createAuthorization(NONE), null)
  t.equal(createAuthorization({ ...NONE, scopes_required: [] }), null, 'an empty list is unset (get_conf_arg)')
})

t.test('scopes: OR across entries, AND within one entry', async (t) => {
  const check = authorize({ scopes_required: ['read write', 'admin'] })
  t.equal(check({ scope: 'openid read write' }), null)
  t.equal(check({ scope: 'admin' }), null)
  t.equal(check({ scope: 'read' }), 'required scopes were not found')
  t.equal(check({ scope: ['write', 'read'] }), null, 'an array of strings')
  t.equal(check({ scope: ['read write'] }), null, 'array elements are joined, then split')
  t.equal(check({ scope: 'read\twrite\n' }), null, 'any blank separates')
  t.equal(check({ scope: 'readwrite' }), 'required scopes were not found')
  t.equal(check({ scope: 'READ WRITE' }), 'required scopes were not found', 'case matters')
  t.equal(check({}), 'scopes required but no scopes found')
  t.equal(check({ scope: null }), 'scopes required but no scopes found')
  t.equal(check({ scope: false }), 'scopes required but no scopes found')
  t.equal(check({ scope: '' }), 'required scopes were not found', '"" is found, and empty')
  t.equal(check({ scope: { read: true, write: true } }), 'required scopes were not found', 'an object reads as ""')
  t.equal(check({ scope: ['read', { write: 1 }] }), 'scopes required but no scopes found', 'concat would raise')
})

t.test('numbers and booleans are matched as Lua prints them', async (t) => {
  t.equal(authorize({ groups_required: ['42'] })({ groups: [42, 7] }), null)
  t.equal(authorize({ groups_required: ['1e+20'] })({ groups: 1e20 }), null)
  t.equal(authorize({ roles_required: ['true'] })({ roles: true }), null)
})

t.test('an entry with no words never matches', async (t) => {
  const check = authorize({ scopes_required: ['  ', ''] })
  t.equal(check({ scope: 'a' }), 'required scopes were not found')
  t.equal(check({ scope: '' }), 'required scopes were not found')
})

t.test('audience, groups and roles use their claims, nested paths, and Kong order', async (t) => {
  const check = authorize({
    scopes_required: ['s'],
    audience_required: ['api'],
    groups_required: ['g'],
    roles_required: ['r'],
    roles_claim: ['realm_access', 'roles'],
    groups_claim: []
  })
  const ok = { scope: 's', aud: ['api', 'other'], groups: ['g'], realm_access: { roles: ['r'] } }
  t.equal(check(ok), null)
  t.equal(check({ ...ok, scope: 'x', aud: 'x' }), 'required scopes were not found', 'scopes first')
  t.equal(check({ ...ok, aud: 'x', groups: [] }), 'required audience were not found', 'then audience')
  t.equal(check({ ...ok, groups: 'x', realm_access: {} }), 'required groups were not found', 'then groups (an empty claim list is the default)')
  t.equal(check({ ...ok, realm_access: { roles: 'x' } }), 'required roles were not found')
  t.equal(check({ ...ok, realm_access: null }), 'roles required but no roles found')
})

t.test('a reason never carries the token\'s values', async (t) => {
  const check = authorize({ scopes_required: ['a'] })
  const reason = check({ scope: 'secret-scope-value' })
  t.ok(reason !== null && !reason.includes('secret'))
})

t.test('hostile claims: huge arrays, __proto__, deep nesting', async (t) => {
  const check = authorize({ scopes_required: ['needle'], roles_required: ['r'], roles_claim: ['__proto__', 'roles'] })
  const big = Array.from({ length: 200_000 }, (_, i) => `s${i}`)
  t.equal(check(JSON.parse(`{"scope":${JSON.stringify([...big, 'needle'])},"__proto__":{"roles":"r"}}`)), null)
  t.equal(check(JSON.parse('{"scope":"needle","__proto__":{"roles":"x"}}')), 'required roles were not found')
  t.equal(check({ scope: 'needle' }), 'roles required but no roles found', 'Object.prototype is not a claim')
})

// the reference: Kong's set.new (split on blanks) and array.has for each entry
function model (required: string[], claim: unknown): boolean {
  const text = typeof claim === 'string' ? claim : Array.isArray(claim) && claim.every((v) => typeof v === 'string') ? claim.join(' ') : null
  if (text === null) return false
  const have = text.split(/[ \t\n\v\f\r]+/).filter(Boolean)
  return required.some((entry) => {
    const words = entry.split(/[ \t\n\v\f\r]+/).filter(Boolean)
    return words.length > 0 && words.every((w) => have.includes(w))
  })
}

const word = fc.constantFrom('a', 'b', 'c', 'read', 'write', '__proto__', 'constructor')
const text = fc.array(fc.oneof(word, fc.constantFrom(' ', '\t', '  ', '\n')), { maxLength: 6 }).map((parts) => parts.join(''))

t.test('property: the scope check agrees with the model', async (t) => {
  fc.assert(fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), fc.oneof(text, fc.array(text, { maxLength: 5 })), (required, claim) => {
    const allowed = authorize({ scopes_required: required })({ scope: claim }) === null
    if (allowed !== model(required, claim)) throw new Error('differs from the model')
  }), { numRuns: 3000 })
  t.pass('held on every run')
})

t.test('property: never throws on arbitrary JSON claims', async (t) => {
  const check = authorize({ scopes_required: ['a'], audience_required: ['b'], groups_required: ['c'], roles_required: ['d'] })
  fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (scope, aud) => {
    const reason = check(JSON.parse(JSON.stringify({ scope, aud, groups: 'c', roles: ['d'] })))
    if (reason !== null && typeof reason !== 'string') throw new Error('not a reason')
  }), { numRuns: 2000 })
  t.same(splitWords(' a\tb\u00a0c '), ['a', 'b\u00a0c'], 'PCRE \\s without UCP: no-break space is not a blank')
})
