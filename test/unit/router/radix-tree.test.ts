import t from 'tap'
import { RadixTree, type RadixNode } from '../../../src/router/radix-tree.ts'

function build (keys: readonly string[]): RadixTree<string[]> {
  const tree = new RadixTree<string[]>()
  for (const key of keys) {
    const node = tree.node(key)
    node.value ??= []
    node.value.push(key)
  }
  return tree
}

function valuesOnPath (tree: RadixTree<string[]>, path: string): string[] {
  const nodes: Array<RadixNode<string[]>> = new Array(tree.maxDepth()).fill(tree.root)
  const n = tree.collect(path, nodes)
  return nodes.slice(0, n).flatMap((node) => node.value!)
}

t.test('collect finds every key that is a string prefix of the path, shortest first', async (t) => {
  const tree = build(['/', '/foo', '/foo/bar', '/fob', '/foo/baz', '/other', ''])
  t.same(valuesOnPath(tree, '/foo/bar/x'), ['', '/', '/foo', '/foo/bar'])
  t.same(valuesOnPath(tree, '/foobar'), ['', '/', '/foo'])
  t.same(valuesOnPath(tree, '/fo'), ['', '/'])
  t.same(valuesOnPath(tree, '/fob'), ['', '/', '/fob'])
  t.same(valuesOnPath(tree, '/foo/ba'), ['', '/', '/foo'])
  t.same(valuesOnPath(tree, 'x'), [''])
})

t.test('node() returns the same node for the same key', async (t) => {
  const tree = new RadixTree<string>()
  t.equal(tree.node('/a/b'), tree.node('/a/b'))
  t.equal(tree.node(''), tree.root)
  t.equal(tree.node('/a/b').value, null)
})

t.test('edge splits keep existing keys reachable', async (t) => {
  const tree = build(['/abcdef', '/abcxyz', '/abc', '/ab'])
  t.same(valuesOnPath(tree, '/abcdefg'), ['/ab', '/abc', '/abcdef'])
  t.same(valuesOnPath(tree, '/abcxyz'), ['/ab', '/abc', '/abcxyz'])
  t.same(valuesOnPath(tree, '/abd'), ['/ab'])
  t.equal(tree.maxDepth(), 3)
})

t.test('nodes created only by splits hold no value and are not collected', async (t) => {
  const tree = build(['/abc', '/abd'])
  t.same(valuesOnPath(tree, '/abc'), ['/abc'])
  t.equal(tree.maxDepth(), 1)
  const seen: string[][] = []
  tree.forEachValue((v) => seen.push(v))
  t.same(seen.flat().sort(), ['/abc', '/abd'])
})

t.test('an empty tree collects nothing', async (t) => {
  const tree = new RadixTree<string>()
  t.equal(tree.maxDepth(), 0)
  t.equal(tree.collect('/x', []), 0)
})
