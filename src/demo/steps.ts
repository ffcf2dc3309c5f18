// The how-to's three steps, each checked: a step that does not give the expected answer throws with the
// step's name and what came back, so `--once` (and its test) fail loudly.

import { request } from 'undici'
import type { TestIdp as DevIdp } from './dev-idp.ts'

export interface DemoEndpoints {
  readonly proxy: string
  readonly admin: string
  readonly clientId: string
  readonly clientSecret: string
  readonly idp: DevIdp
}

type Print = (line?: string) => void

export class StepFailed extends Error {
  constructor (step: string, expected: string, got: string) {
    super(`step "${step}": expected ${expected}, got ${got}`)
    this.name = 'StepFailed'
  }
}

export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

export async function get (url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(url, { headers })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

export async function walkHowTo (endpoints: DemoEndpoints, print: Print): Promise<void> {
  await listIssuers(endpoints, print)
  const first = await proxiedRequest(endpoints, print, 2)
  const idpCallsAfterFirst = endpoints.idp.tokenRequests
  const second = await proxiedRequest(endpoints, print, 3)
  const idpCalls = endpoints.idp.tokenRequests - idpCallsAfterFirst
  print(`   X-Kong-Proxy-Latency: first request ${first} ms (token from the IdP), second ${second} ms (token from the cache)`)
  if (idpCalls !== 0) throw new StepFailed('3. cached token', 'no IdP call for the second request', `${idpCalls} token request(s)`)
  print(`   the IdP saw ${idpCallsAfterFirst} token request(s) in all: the second request was served from the shared token cache`)
  print()
}

export async function listIssuers (endpoints: DemoEndpoints, print: Print): Promise<void> {
  const url = `${endpoints.admin}/openid-connect/issuers`
  print(`1. GET ${url}`)
  // discovery runs in the background at start: give it a moment rather than failing on a race
  let answer = await get(url)
  for (let i = 0; i < 50 && answer.status === 200 && JSON.parse(answer.body).data.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    answer = await get(url)
  }
  if (answer.status !== 200) throw new StepFailed('1. issuers', '200', `${answer.status} ${answer.body}`)
  const entry = JSON.parse(answer.body).data[0]
  if (entry === undefined) throw new StepFailed('1. issuers', 'one discovered issuer', 'an empty list (is the IdP reachable?)')
  print(`   200: issuer ${entry.issuer}`)
  print(`        token endpoint ${entry.configuration.token_endpoint}`)
  print(`        ${entry.keys.length} key(s) in the IdP's JWKS`)
  print()
}

async function proxiedRequest (endpoints: DemoEndpoints, print: Print, step: number): Promise<number> {
  const url = `${endpoints.proxy}/example-route/anything`
  const basic = Buffer.from(`${endpoints.clientId}:${endpoints.clientSecret}`).toString('base64')
  print(`${step}. GET ${url}   (Authorization: Basic <${endpoints.clientId}:secret>)`)
  const answer = await get(url, { authorization: `Basic ${basic}` })
  const name = `${step}. proxied request`
  if (answer.status !== 200) throw new StepFailed(name, '200', `${answer.status} ${answer.body}`)
  const seen = (JSON.parse(answer.body) as { headers: Record<string, string> }).headers.authorization ?? ''
  if (!seen.startsWith('Bearer ')) throw new StepFailed(name, 'the upstream to receive a Bearer token', `authorization "${seen.slice(0, 12)}..."`)
  const token = seen.slice('Bearer '.length)
  const latency = Number(answer.headers['x-kong-proxy-latency'])
  if (!Number.isFinite(latency)) throw new StepFailed(name, 'an X-Kong-Proxy-Latency header', 'none')
  print(`   200: the upstream received Authorization: Bearer ${token.slice(0, 16)}...${token.slice(-6)} (${token.length} chars)`)
  if (step === 2) print()
  return latency
}
