// Kong's collection paging and tag filtering (kong/api/endpoints.lua, kong/db/dao): `size` (default 100,
// at most 1000), an opaque `offset` (base64url of the next index here), `tags=a,b` (all of them) or
// `tags=a/b` (any of them, at most 5), and the list shape {"data": [...], "next": path|null, "offset"}.

import { invalidOffset, invalidOptions, invalidSize } from './kong-errors.ts'
import type { AdminResult } from './types.ts'

const DEFAULT_SIZE = 100
const MAX_SIZE = 1000
const MAX_TAGS = 5

// Kong's TAGS_AND_REGEX / TAGS_OR_REGEX: printable ascii except ',' and '/', or any non-ascii character
const TAG_CHARS = '[\\x20-\\x2B\\x2D\\x2E\\x30-\\x7E\\u0080-\\u{10FFFF}]+'
const TAGS_AND = new RegExp(`^(?:${TAG_CHARS}(?:,|$))+$`, 'u')
const TAGS_OR = new RegExp(`^(?:${TAG_CHARS}(?:/|$))+$`, 'u')

export interface TagFilter {
  readonly tags: readonly string[]
  readonly mode: 'and' | 'or'
}

export interface ListQuery {
  readonly size: number
  /** the index the page starts at */
  readonly start: number
  readonly tags: TagFilter | null
  /** `size` and `tags` as given, carried into `next` */
  readonly carried: string
}

function parseSize (raw: string | null): number | AdminResult {
  if (raw === null) return DEFAULT_SIZE
  const size = raw.trim() === '' ? NaN : Number(raw)
  if (Number.isNaN(size)) return invalidSize('size must be a number')
  if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) return invalidSize(`size must be an integer between 1 and ${MAX_SIZE}`)
  return size
}

function parseTags (raw: string | null): TagFilter | null | AdminResult {
  if (raw === null) return null
  const mode = TAGS_AND.test(raw) ? 'and' : TAGS_OR.test(raw) ? 'or' : null
  if (mode === null) return invalidOptions('tags', 'invalid filter syntax')
  const tags = raw.split(mode === 'and' ? ',' : '/').filter((tag) => tag !== '')
  if (tags.length > MAX_TAGS) return invalidOptions('tags', `cannot query more than ${MAX_TAGS} tags`)
  return { tags, mode }
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

export function encodeOffset (index: number): string {
  return Buffer.from(String(index)).toString('base64url')
}

function parseOffset (raw: string | null): number | AdminResult {
  if (raw === null) return 0
  if (!BASE64.test(raw) || raw.replace(/=+$/, '').length % 4 === 1) return invalidOffset(raw, 'bad base64 encoding')
  const decoded = Buffer.from(raw, 'base64').toString('latin1')
  if (!/^\d{1,15}$/.test(decoded)) return invalidOffset(raw, 'not an offset given by this server')
  return Number(decoded)
}

function isResult (value: unknown): value is AdminResult {
  return typeof value === 'object' && value !== null && 'status' in value
}

/** The paging and filtering a collection request asks for, or Kong's 400 when it is malformed. */
export function parseListQuery (query: URLSearchParams): ListQuery | AdminResult {
  const size = parseSize(query.get('size'))
  if (isResult(size)) return size
  const tags = parseTags(query.get('tags'))
  if (isResult(tags)) return tags
  const start = parseOffset(query.get('offset'))
  if (isResult(start)) return start
  let carried = ''
  if (query.get('tags') !== null) carried += `&tags=${encodeURIComponent(query.get('tags')!)}`
  if (query.get('size') !== null) carried += `&size=${encodeURIComponent(query.get('size')!)}`
  return { size, start, tags, carried }
}

export function matchesTags (tags: readonly string[] | null, filter: TagFilter | null): boolean {
  if (filter === null) return true
  if (tags === null) return false
  return filter.mode === 'and' ? filter.tags.every((t) => tags.includes(t)) : filter.tags.some((t) => tags.includes(t))
}

/** One page of `items` (already scoped to the collection) as Kong's list body; `path` is the collection's. */
export function listPage<T extends { readonly tags: readonly string[] | null }> (items: readonly T[], query: ListQuery, path: string): AdminResult {
  const matching = query.tags === null ? items : items.filter((item) => matchesTags(item.tags, query.tags))
  const end = query.start + query.size
  const data = matching.slice(query.start, end)
  if (end >= matching.length) return { status: 200, body: { data, next: null } }
  const offset = encodeOffset(end)
  return { status: 200, body: { data, offset, next: `${path}?offset=${encodeURIComponent(offset)}${query.carried}` } }
}
