import t from 'tap'
import { literalPrefix } from '../../../src/router/regex-prefix.ts'

t.test('the literal text a regex path must start with', async (t) => {
  const cases: Array<[string, string]> = [
    ['/users/\\d+', '/users/'],
    ['/version/\\d+/service', '/version/'],
    ['/api/(v1|v2)/x', '/api/'],
    ['/a\\.b/c', '/a.b/c'],
    ['/a\\/b', '/a/b'],
    ['/files/[a-z]+', '/files/'],
    ['/items/(?<id>\\d+)$', '/items/'],
    ['/exact$', '/exact'],
    ['/plain', '/plain']
  ]
  for (const [pattern, prefix] of cases) t.equal(literalPrefix(pattern), prefix, pattern)
})

t.test('a quantified last character is not part of the prefix', async (t) => {
  t.equal(literalPrefix('/abc?'), '/ab')
  t.equal(literalPrefix('/abc*/x'), '/ab')
  t.equal(literalPrefix('/abc{2}'), '/ab')
  t.equal(literalPrefix('/ab+c'), '/ab', 'one b is required, what follows is not literal')
  t.equal(literalPrefix('/[0]?foo'), '/')
  t.equal(literalPrefix('/a\\.?b'), '/a')
})

t.test('no prefix when unsure', async (t) => {
  t.equal(literalPrefix('/a|/b'), '', 'top-level alternation')
  t.equal(literalPrefix('(/a)|/b'), '')
  t.equal(literalPrefix('/x[|]y'), '/x', 'a | inside a class is a literal')
  t.equal(literalPrefix('/x(a|b)'), '/x', 'a | inside a group')
  t.equal(literalPrefix('/x[]|/y'), '', 'JS reads [] as an empty class, so this | is top-level')
  t.equal(literalPrefix('.*'), '')
  t.equal(literalPrefix('^/a'), '')
  t.equal(literalPrefix('\\d+/a'), '')
  t.equal(literalPrefix('(?:/a)'), '')
  t.equal(literalPrefix('/a\\'), '/a')
})

t.test('every match of the anchored regex starts with the prefix', async (t) => {
  const samples = ['/users/1', '/users/22/x', '/api/v1/x', '/a.b/c', '/abc', '/ab', '/abbb', '/x|y', '/xay']
  for (const pattern of ['/users/\\d+', '/api/(v1|v2)/x', '/a\\.b/c', '/abc?', '/ab+', '/x[|]y', '/x(a|b)y']) {
    const re = new RegExp('^' + pattern, 'y')
    const prefix = literalPrefix(pattern)
    for (const sample of samples) {
      re.lastIndex = 0
      if (re.test(sample)) t.ok(sample.startsWith(prefix), `${pattern} matched ${sample}, prefix ${prefix}`)
    }
  }
})
