// A radix tree of path prefixes. Kong's plain paths are string prefixes (`/foo` matches `/foobar`), so a
// lookup walks the tree along the request path and every node it fully passes whose key is a prefix of
// the path may hold candidates. Keys are added at construction only; each node carries a value (or null).

export class RadixNode<V> {
  /** the edge text from the parent to this node */
  label: string
  children: RadixNode<V>[]
  /** first char code of each child's label, parallel to children: the walk compares numbers */
  childCodes: number[]
  value: V | null

  constructor (label: string) {
    this.label = label
    this.children = []
    this.childCodes = []
    this.value = null
  }
}

export class RadixTree<V> {
  readonly root: RadixNode<V>

  constructor () {
    this.root = new RadixNode<V>('')
  }

  /** The node for `key`, created (with a null value) when missing; '' is the root. */
  node (key: string): RadixNode<V> {
    let node = this.root
    let pos = 0
    while (pos < key.length) {
      const at = node.childCodes.indexOf(key.charCodeAt(pos))
      if (at === -1) {
        const leaf = new RadixNode<V>(key.slice(pos))
        node.children.push(leaf)
        node.childCodes.push(key.charCodeAt(pos))
        return leaf
      }
      const child = node.children[at]
      const common = commonLength(child.label, key, pos)
      if (common < child.label.length) {
        // split the edge: the shared part becomes a new node holding the old child
        const middle = new RadixNode<V>(child.label.slice(0, common))
        child.label = child.label.slice(common)
        middle.children.push(child)
        middle.childCodes.push(child.label.charCodeAt(0))
        node.children[at] = middle
        node = middle
      } else {
        node = child
      }
      pos += common
    }
    return node
  }

  /**
   * Fills `out` with the nodes holding a value whose key is a prefix of `path`, shortest first, and
   * returns how many. `out` must have room for maxDepth() nodes; it is reused so a lookup allocates nothing.
   */
  collect (path: string, out: RadixNode<V>[]): number {
    let n = 0
    let node = this.root
    if (node.value !== null) out[n++] = node
    let pos = 0
    while (pos < path.length) {
      const at = node.childCodes.indexOf(path.charCodeAt(pos))
      if (at === -1) break
      const child = node.children[at]
      if (!path.startsWith(child.label, pos)) break
      pos += child.label.length
      node = child
      if (node.value !== null) out[n++] = node
    }
    return n
  }

  /** The most value-holding nodes one walk can pass: the room `collect` needs. */
  maxDepth (): number {
    return depthOf(this.root)
  }

  /** Every value, for post-processing once all keys are in. */
  forEachValue (visit: (value: V) => void): void {
    const stack = [this.root]
    while (stack.length > 0) {
      const node = stack.pop()!
      if (node.value !== null) visit(node.value)
      stack.push(...node.children)
    }
  }
}

function commonLength (label: string, key: string, pos: number): number {
  const max = Math.min(label.length, key.length - pos)
  let k = 0
  while (k < max && label.charCodeAt(k) === key.charCodeAt(pos + k)) k++
  return k
}

function depthOf<V> (node: RadixNode<V>): number {
  let deepest = 0
  for (const child of node.children) deepest = Math.max(deepest, depthOf(child))
  return deepest + (node.value !== null ? 1 : 0)
}
