// The header object the proxy builds fields in (src/proxy/header-fields.ts) inherits nothing: no
// Object.prototype member reads as a field, and any name, `__proto__` included, is an own field.

import t from 'tap'
import { HeaderObject } from '../../../src/proxy/header-fields.ts'

// held in a variable: a literal `x['__proto__']` reads like the deprecated accessor (eslint no-proto)
const PROTO = '__proto__'

t.test('a HeaderObject inherits nothing and keeps every name as its own field', async (t) => {
  const fields = new HeaderObject()
  for (const name of ['constructor', 'toString', 'hasOwnProperty', PROTO, 'valueOf']) {
    t.equal(fields[name], undefined, `${name} is not a field until set`)
    t.notOk(name in fields, `${name} is not in it`)
  }
  fields[PROTO] = 'p'
  fields['constructor' as string] = 'c'
  fields['x-a'] = ['1', '2']
  t.same(Object.keys(fields), ['__proto__', 'constructor', 'x-a'], 'own fields, in the order set')
  t.equal(fields[PROTO], 'p', 'a field named __proto__ is a field, not the prototype')
  t.equal(Object.getPrototypeOf(Object.getPrototypeOf(fields)), null, 'the chain ends after one empty object')
  t.same(Object.getOwnPropertyNames(Object.getPrototypeOf(fields)), [], 'which has no constructor of its own')
  t.same({ ...fields }, { [PROTO]: 'p', constructor: 'c', 'x-a': ['1', '2'] }, 'spread copies the fields')
  t.not(new HeaderObject(), new HeaderObject(), 'each call is a new object')
})
