// The messages between the suite and the processes it starts (upstream, floor, IdP, load generator):
// one `ready` when a child is up, then request/reply pairs matched by id.

export interface ReadyMessage {
  readonly type: 'ready'
  readonly info: Record<string, unknown>
}

export interface CallMessage {
  readonly id: number
  readonly op: string
  readonly payload: unknown
}

export type ReplyMessage =
  | { readonly type: 'reply', readonly id: number, readonly ok: true, readonly result: unknown }
  | { readonly type: 'reply', readonly id: number, readonly ok: false, readonly error: string }
