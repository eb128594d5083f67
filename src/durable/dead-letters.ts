import type { Codec } from '../codec/codec.js'
import { InvalidArgumentError } from '../errors.js'
import { decodeHeaders } from './entry.js'
import type { TopicStore } from './topic-store.js'

/** A dead letter as list() gives it: `data` decoded when it can be, else its raw bytes. */
export interface DeadLetterEntry<T> {
  readonly id: string
  readonly originalId: string
  readonly group: string
  readonly error: string
  readonly attempts: number
  readonly data: T | Uint8Array
  readonly headers: Readonly<Record<string, string>>
}

/**
 * The entries a group gave up on: after maxAttempts failures, or whose bytes did not decode.
 * They stay until replayed (back to that group only, as first attempts) or deleted with the key.
 */
export class DeadLetters<T> {
  readonly group: string
  readonly #store: TopicStore
  readonly #codec: Codec

  /** @internal Made by topic.deadLetters(). */
  constructor(store: TopicStore, group: string, codec: Codec) {
    this.#store = store
    this.group = group
    this.#codec = codec
  }

  /** The oldest `count` dead letters (default 100). */
  async list(options: { count?: number } = {}): Promise<Array<DeadLetterEntry<T>>> {
    const count = options.count ?? 100
    if (!Number.isSafeInteger(count) || count <= 0) {
      throw new InvalidArgumentError(`list() count must be a positive integer; got ${count}`)
    }
    const letters = await this.#store.deadLetters(this.group, count)
    return letters.map((letter) => ({
      id: letter.id,
      originalId: letter.originalId,
      group: letter.group,
      error: letter.error,
      attempts: letter.attempts,
      data: this.#decode(letter.data),
      headers: decodeHeaders(letter.headers),
    }))
  }

  /** Sends one dead letter (by its id) or all of them back to the group; resolves to how many. */
  replay(idOrAll: string): Promise<number> {
    if (typeof idOrAll !== 'string' || idOrAll === '') {
      return Promise.reject(
        new InvalidArgumentError(`replay() takes a dead letter id or 'all'; got ${JSON.stringify(idOrAll)}`),
      )
    }
    return this.#store.replayDead(this.group, idOrAll)
  }

  #decode(bytes: Uint8Array): T | Uint8Array {
    try {
      return this.#codec.decode(bytes) as T
    } catch {
      return bytes
    }
  }
}
