// The per-worker, per-instance memo behind the client credentials hot path: Authorization header string
// -> credentials already resolved for it, so that a cached-token request needs no base64 decoding and no
// hashing. Bounded in bytes (bounded-memo.ts): the header, the decoded id and secret and a fixed overhead.
// A Basic header of a UUID client id and a 128-character secret is ~230 characters; MAX_MEMO_KEY_LENGTH
// (1 KiB) leaves room for ~760 bytes of id and secret. A longer one still works; it is decoded and hashed
// on each request and its token still comes from the cache. The flow remembers a header only once the IdP
// (or the broker check and the shared cache) accepted its credentials.

import { BoundedMemo } from '../../bounded-memo.ts'
import type { KnownCredential } from './token-flow.ts'

export { MAX_MEMO_KEY_LENGTH, MEMO_BUDGET_BYTES } from '../../bounded-memo.ts'

export class CredentialMemo extends BoundedMemo<KnownCredential> {
  constructor (budget?: number) {
    super({ budget, sizeOf: (known) => known.clientId.length + known.clientSecret.length })
  }
}
