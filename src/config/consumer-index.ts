// The consumers of a loaded config, indexed once per compile so that an auth plugin maps a token or a
// credential to a consumer with one Map lookup (Kong looks consumers up through its DAO cache:
// kong.db.consumers:select / select_by_username / select_by_custom_id, kong/plugins/*/handler.lua).

import type { Consumer } from './types.ts'

export interface ConsumerIndex {
  readonly size: number
  byId (id: string): Consumer | undefined
  /** ignoreCase: Kong's by_username_ignore_case (the username compared lower-cased on both sides) */
  byUsername (username: string, ignoreCase?: boolean): Consumer | undefined
  byCustomId (customId: string): Consumer | undefined
}

class MapConsumerIndex implements ConsumerIndex {
  readonly #byId = new Map<string, Consumer>()
  readonly #byUsername = new Map<string, Consumer>()
  readonly #byLowerUsername = new Map<string, Consumer>()
  readonly #byCustomId = new Map<string, Consumer>()

  constructor (consumers: readonly Consumer[]) {
    for (const consumer of consumers) {
      this.#byId.set(consumer.id, consumer)
      if (consumer.username !== null) {
        this.#byUsername.set(consumer.username, consumer)
        // two usernames differing only in case: the first one in the file wins, as a stable choice
        const lower = consumer.username.toLowerCase()
        if (!this.#byLowerUsername.has(lower)) this.#byLowerUsername.set(lower, consumer)
      }
      if (consumer.custom_id !== null) this.#byCustomId.set(consumer.custom_id, consumer)
    }
  }

  get size (): number {
    return this.#byId.size
  }

  byId (id: string): Consumer | undefined {
    return this.#byId.get(id)
  }

  byUsername (username: string, ignoreCase = false): Consumer | undefined {
    return this.#byUsername.get(username) ?? (ignoreCase ? this.#byLowerUsername.get(username.toLowerCase()) : undefined)
  }

  byCustomId (customId: string): Consumer | undefined {
    return this.#byCustomId.get(customId)
  }
}

export function createConsumerIndex (consumers: readonly Consumer[]): ConsumerIndex {
  return new MapConsumerIndex(consumers)
}
