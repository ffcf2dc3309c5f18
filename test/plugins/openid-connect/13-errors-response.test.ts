// The plugin's 401/403/500 responses (Kong's openid-connect responses.lua).

import t from 'tap'
import { createErrorResponder, realmOf } from '../../../src/plugins/openid-connect/worker/errors-response.ts'
import type { ErrorResponseConfig } from '../../../src/plugins/openid-connect/worker/errors-response.ts'
import type { ProxyContext } from '../../../src/plugins/types.ts'

interface Exit { status: number, message: string, headers: Readonly<Record<string, string>> | undefined }

function capture (): { ctx: ProxyContext, exits: Exit[] } {
  const exits: Exit[] = []
  const ctx = { exit: (status: number, message: string, headers?: Readonly<Record<string, string>>) => { exits.push({ status, message, headers }) } }
  return { ctx: ctx as unknown as ProxyContext, exits }
}

const ISSUER = 'https://login.example.com:8443/realms/demo/.well-known/openid-configuration'

t.test('defaults: Kong bodies and the Bearer challenge with error=', async (t) => {
  const { ctx, exits } = capture()
  const respond = createErrorResponder({}, ISSUER)
  respond.unauthorized(ctx, 'invalid status code received from the token endpoint (401)')
  respond.forbidden(ctx)
  respond.unexpected(ctx, 'boom')
  respond.expired(ctx)
  t.same(exits, [
    { status: 401, message: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer realm="login.example.com", error="invalid_token"' } },
    { status: 403, message: 'Forbidden', headers: { 'WWW-Authenticate': 'Bearer realm="login.example.com", error="insufficient_scope"' } },
    { status: 500, message: 'An unexpected error occurred', headers: undefined },
    {
      status: 401,
      message: 'Unauthorized',
      headers: { 'WWW-Authenticate': 'Bearer realm="login.example.com", error="invalid_token", error_description="The access token expired"' }
    }
  ], 'no reason without display_errors')
})

t.test('display_errors, expose_error_code off, custom messages', async (t) => {
  const config: ErrorResponseConfig = {
    display_errors: true,
    expose_error_code: false,
    unauthorized_error_message: 'Go away',
    forbidden_error_message: 'Not you'
  }
  const { ctx, exits } = capture()
  const respond = createErrorResponder(config, ISSUER)
  respond.unauthorized(ctx, 'invalid status code received from the token endpoint (401)')
  respond.unauthorized(ctx)
  respond.forbidden(ctx, 'no scope')
  respond.unexpected(ctx, 'boom')
  respond.expired(ctx)
  t.same(exits.map((e) => e.message), [
    'Go away (invalid status code received from the token endpoint (401))', 'Go away', 'Not you (no scope)',
    'An unexpected error occurred (boom)', 'Go away'
  ])
  t.equal(exits[0].headers?.['WWW-Authenticate'], 'Bearer realm="login.example.com"', 'no error= when not exposed')
  t.equal(exits[4].headers?.['WWW-Authenticate'], 'Bearer realm="login.example.com"')
})

t.test('prepared once: the same headers object every time', async (t) => {
  const { ctx, exits } = capture()
  const respond = createErrorResponder({}, ISSUER)
  respond.unauthorized(ctx)
  respond.unauthorized(ctx)
  t.equal(exits[0].headers, exits[1].headers)
  t.ok(Object.isFrozen(exits[0].headers))
})

t.test('realm: the issuer host without port; kong when there is none', async (t) => {
  t.equal(realmOf('http://127.0.0.1:9000/realms/x'), '127.0.0.1')
  t.equal(realmOf('http://[::1]:9000'), '::1')
  t.equal(realmOf('https://idp.example'), 'idp.example')
  t.equal(realmOf('not a url'), 'kong')
})
