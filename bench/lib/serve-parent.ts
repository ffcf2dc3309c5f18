// The child side of a bench process: announce `ready` with what the suite needs to know (a port, an
// URL), answer calls, and exit when the suite goes away so no process outlives a run.

import type { CallMessage, ReadyMessage, ReplyMessage } from './ipc-messages.ts'

export type CallHandlers = Readonly<Record<string, (payload: never) => unknown>>

export function serveParent (info: Record<string, unknown>, handlers: CallHandlers, onExit?: () => Promise<void>): void {
  const send = process.send?.bind(process)
  if (send === undefined) throw new Error('a bench process must be started by the suite (it needs an IPC channel)')
  process.on('message', (message: CallMessage) => {
    const handler = handlers[message.op] as ((payload: unknown) => unknown) | undefined
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown call '${message.op}'`)
        return handler(message.payload)
      })
      .then((result) => send({ type: 'reply', id: message.id, ok: true, result: result ?? null } satisfies ReplyMessage),
        (err: unknown) => send({ type: 'reply', id: message.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies ReplyMessage))
  })
  process.on('disconnect', () => {
    const done = onExit === undefined ? Promise.resolve() : onExit()
    done.finally(() => process.exit(0)).catch(() => {})
  })
  send({ type: 'ready', info } satisfies ReadyMessage)
}
