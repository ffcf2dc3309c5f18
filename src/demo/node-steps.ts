// The steps of `npm run demo -- --nodes 2`, each checked like the how-to's (steps.ts): one credential
// through node 1 (the IdP is asked once), the same through node 2 (served from Redis: the IdP is not
// asked, the upstream gets the same token), then what Redis holds: one entry under a digest key, whose
// value is sealed (worker/cluster-cache-seal.ts), so neither the token nor the credentials appear in it.

import type { Redis } from 'ioredis'
import { TOKENS_NAMESPACE } from '../plugins/openid-connect/worker/cluster-cache-seal.ts'
import type { TestIdp as DevIdp } from './dev-idp.ts'
import { get, listIssuers, StepFailed, type DemoEndpoints } from './steps.ts'

type Print = (line?: string) => void

export interface NodeAddresses {
  readonly proxy: string
  readonly admin: string
}

export interface NodesEndpoints {
  readonly nodes: readonly [NodeAddresses, NodeAddresses]
  readonly clientId: string
  readonly clientSecret: string
  readonly idp: DevIdp
  /** a client of the Redis both nodes share */
  readonly redis: Redis
}

/** the shared tokens' key names */
const KEY_PATTERN = `${TOKENS_NAMESPACE.prefix}*`
const ROUTE = '/example-route/anything'

export async function walkNodes (endpoints: NodesEndpoints, print: Print): Promise<void> {
  const [one, two] = endpoints.nodes
  await listIssuers(howTo(endpoints, one), print)
  // node 2 discovers the IdP on its own: wait for it quietly, its answer is the same
  await listIssuers(howTo(endpoints, two), () => {})
  const before = endpoints.idp.tokenRequests
  const first = await callNode(endpoints, one, 2, 'node 1', print)
  const afterFirst = endpoints.idp.tokenRequests
  if (afterFirst - before !== 1) throw new StepFailed('2. node 1', 'one token request to the IdP', `${afterFirst - before}`)
  print(`   the IdP's token requests: ${afterFirst} (node 1 asked it once, then shared the token through Redis)`)
  print()
  const second = await callNode(endpoints, two, 3, 'node 2', print)
  const afterSecond = endpoints.idp.tokenRequests
  if (afterSecond !== afterFirst) throw new StepFailed('3. node 2', 'no token request to the IdP', `${afterSecond - afterFirst} more`)
  if (second !== first) throw new StepFailed('3. node 2', 'the token node 1 fetched', 'another token')
  print(`   the same token node 1 fetched, served from Redis: the IdP's token requests are still ${afterSecond}`)
  print()
  await showRedis(endpoints, first, print)
}

function howTo (endpoints: NodesEndpoints, node: NodeAddresses): DemoEndpoints {
  return { proxy: node.proxy, admin: node.admin, clientId: endpoints.clientId, clientSecret: endpoints.clientSecret, idp: endpoints.idp }
}

/** One proxied request with the caller's Basic credentials; the bearer token the upstream received. */
async function callNode (endpoints: NodesEndpoints, node: NodeAddresses, step: number, name: string, print: Print): Promise<string> {
  const url = `${node.proxy}${ROUTE}`
  const basic = Buffer.from(`${endpoints.clientId}:${endpoints.clientSecret}`).toString('base64')
  const label = `${step}. ${name}`
  print(`${step}. ${name}: GET ${url}   (Authorization: Basic <${endpoints.clientId}:secret>)`)
  const answer = await get(url, { authorization: `Basic ${basic}` })
  if (answer.status !== 200) throw new StepFailed(label, '200', `${answer.status} ${answer.body}`)
  const seen = (JSON.parse(answer.body) as { headers: Record<string, string> }).headers.authorization ?? ''
  if (!seen.startsWith('Bearer ')) throw new StepFailed(label, 'the upstream to receive a Bearer token', `authorization "${seen.slice(0, 12)}..."`)
  const token = seen.slice('Bearer '.length)
  print(`   200: the upstream received Authorization: Bearer ${shortToken(token)}`)
  return token
}

function shortToken (token: string): string {
  return `${token.slice(0, 16)}...${token.slice(-6)} (${token.length} chars)`
}

/** Every cluster cache entry in Redis: its name, time to live and first bytes; none may hold a secret. */
async function showRedis (endpoints: NodesEndpoints, token: string, print: Print): Promise<void> {
  const label = '4. Redis'
  print(`4. what Redis holds (SCAN MATCH ${KEY_PATTERN})`)
  const keys = (await scanAll(endpoints.redis)).filter((key) => !key.endsWith(':lock')).sort()
  if (keys.length !== 1) throw new StepFailed(label, 'one cluster cache entry', `${keys.length}: ${keys.join(', ')}`)
  const value = await endpoints.redis.getBuffer(keys[0])
  if (value === null) throw new StepFailed(label, `a value under ${keys[0]}`, 'none')
  const ttl = await endpoints.redis.pttl(keys[0])
  print(`   key   ${keys[0]}`)
  print('         the id is HKDF-SHA256 of the first level\'s cache key digest: nothing in it names the caller')
  print(`   value ${value.length} bytes, expires in ${Math.round(ttl / 1000)} s (with the token): ${value.subarray(0, 16).toString('hex')}...`)
  print(`         version ${value[0]}, then a 12-byte IV, a 16-byte GCM tag and the AES-256-GCM ciphertext`)
  for (const [what, secret] of [['the token', token], ['the client id', endpoints.clientId], ['the client secret', endpoints.clientSecret]] as const) {
    if (value.includes(secret) || keys[0].includes(secret)) throw new StepFailed(label, `no trace of ${what} in Redis`, `${what} in the entry`)
  }
  print('   no token in it, nor the client id or secret: only a node that is sent the same credentials can find and open it')
  print()
}

async function scanAll (redis: Redis): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', KEY_PATTERN, 'COUNT', 100)
    keys.push(...batch)
    cursor = next
  } while (cursor !== '0')
  return keys
}
