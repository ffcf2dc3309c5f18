// jwt through the real gateway (CLI, worker thread, sockets) and a real upstream, after Kong's
// spec/03-plugins/16-jwt/03-access_spec.lua: HS256 and RS256 tokens signed here, found in the Authorization
// header, the query and a cookie; expired, signed with another key, an unknown iss; the consumer headers
// sent upstream; anonymous as a logical OR; Kong's 401 bodies (kong.response.exit: no request_id).

import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { send, type Reply } from '../../helpers/gateway.ts'
import { startBackendGateway } from '../../helpers/backend.ts'
import { signJwt } from '../../helpers/jwt-sign.ts'

const SECRET = 'alice-hs256-secret'
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const PUBLIC = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string

function guarded (name: string, config: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, paths: [`/${name}`], plugins: [{ name: 'jwt', config }] }
}

t.test('jwt', async (t) => {
  const { gateway, upstream } = await startBackendGateway(t, {
    routes: [
      guarded('plain', { claims_to_verify: ['exp'] }),
      guarded('cookie', { cookie_names: ['crumble'], realm: 'test-jwt' }),
      guarded('anonymous', { anonymous: 'nobody' }),
    ],
  }, {
    consumers: [
      { username: 'alice', custom_id: 'A-1', jwt_secrets: [{ key: 'alice-iss', secret: SECRET }] },
      { username: 'rob', jwt_secrets: [{ key: 'rob-iss', algorithm: 'RS256', rsa_public_key: PUBLIC }] },
      { username: 'nobody' },
    ],
  })
  const call = (path: string, headers: Record<string, string> = {}): Promise<Reply> => send(`${gateway.proxyUrl}${path}`, { headers })
  const last = () => upstream.requests[upstream.requests.length - 1]
  const exp = (): number => Math.floor(Date.now() / 1000) + 300
  const hs = signJwt('HS256', { iss: 'alice-iss', exp: exp() }, SECRET)
  const rs = signJwt('RS256', { iss: 'rob-iss', exp: exp() }, rsa.privateKey)

  t.test('HS256 and RS256 tokens in the header, the query and a cookie', async (t) => {
    for (const [path, headers, user] of [
      ['/plain', { Authorization: `Bearer ${hs}` }, 'alice'],
      ['/plain', { Authorization: `bearer ${rs}` }, 'rob'],
      [`/plain?jwt=${rs}`, {}, 'rob'],
      ['/cookie', { Cookie: `other=1; crumble=${hs}` }, 'alice'],
    ] as const) {
      const reply = await call(path, headers)
      t.equal(reply.status, 200, `${path} ${user}`)
      const seen = last().headers
      t.equal(seen['x-consumer-username'], user)
      t.equal(seen['x-credential-identifier'], `${user === 'alice' ? 'alice' : 'rob'}-iss`, 'the credential key')
      t.equal(seen['x-anonymous-consumer'], undefined)
    }
    await call('/plain', { Authorization: `Bearer ${hs}`, 'X-Consumer-Username': 'mallory' })
    t.equal(last().headers['x-consumer-username'], 'alice', 'a spoofed consumer header is overwritten')
    t.equal(last().headers['x-consumer-custom-id'], 'A-1')
  })

  t.test("refusals: Kong's bodies and WWW-Authenticate, and the upstream is not called", async (t) => {
    const before = upstream.requests.length
    const refused = async (headers: Record<string, string>, body: unknown, challenge = 'Bearer error="invalid_token"', path = '/plain'): Promise<void> => {
      const reply = await call(path, headers)
      t.equal(reply.status, 401, JSON.stringify(body))
      t.strictSame(reply.json(), body)
      t.equal(reply.headers['www-authenticate'], challenge)
    }
    await refused({}, { message: 'Unauthorized' }, 'Bearer')
    await refused({ Authorization: `Bearer ${signJwt('HS256', { iss: 'alice-iss', exp: exp() - 600 }, SECRET)}` }, { exp: 'token expired' })
    await refused({ Authorization: `Bearer ${signJwt('HS256', { iss: 'alice-iss', exp: exp() }, 'wrong')}` }, { message: 'Invalid signature' })
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    await refused({ Authorization: `Bearer ${signJwt('RS256', { iss: 'rob-iss', exp: exp() }, other)}` }, { message: 'Invalid signature' })
    await refused({ Authorization: `Bearer ${signJwt('HS256', { iss: 'rob-iss', exp: exp() }, SECRET)}` }, { message: 'Invalid algorithm' })
    await refused({ Authorization: `Bearer ${signJwt('HS256', { iss: 'mallory', exp: exp() }, SECRET)}` }, { message: "No credentials found for given 'iss'" })
    await refused({ Cookie: 'crumble=x.y.z' }, { message: 'Bad token; invalid JSON' }, 'Bearer realm="test-jwt", error="invalid_token"', '/cookie')
    t.equal(upstream.requests.length, before)
  })

  t.test('anonymous: a failed authentication falls back to the anonymous consumer', async (t) => {
    let reply = await call('/anonymous', { Authorization: 'Bearer bad' })
    t.equal(reply.status, 200)
    t.equal(last().headers['x-consumer-username'], 'nobody')
    t.equal(last().headers['x-anonymous-consumer'], 'true')
    t.equal(last().headers['x-credential-identifier'], undefined)
    reply = await call('/anonymous', { Authorization: `Bearer ${hs}` })
    t.equal(reply.status, 200)
    t.equal(last().headers['x-consumer-username'], 'alice')
    t.equal(last().headers['x-anonymous-consumer'], undefined)
  })
})
