import type { MessageSink, Transport, TransportStatus } from '../../src/transport/transport.js'
import { withTimeout } from '../helpers/wait.js'

export interface Received {
  channel: string
  payload: Uint8Array
  pattern: string | undefined
  text: string
}

type Waiter = { match: (m: Received) => boolean; resolve: (m: Received) => void }

const decoder = new TextDecoder()

/** Records what a transport delivers, and lets a test await a message without sleeping. */
export class Inbox {
  readonly messages: Received[] = []
  #waiters: Waiter[] = []

  readonly sink: MessageSink = (channel, payload, pattern) => {
    const message = { channel, payload, pattern, text: decoder.decode(payload) }
    this.messages.push(message)
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(message)) return true
      w.resolve(message)
      return false
    })
  }

  /** Resolves with the first message (already received or to come) that matches, within `ms`. */
  waitFor(match: (m: Received) => boolean, what: string, ms = 5_000): Promise<Received> {
    const seen = this.messages.find(match)
    if (seen) return Promise.resolve(seen)
    return withTimeout(new Promise<Received>((resolve) => this.#waiters.push({ match, resolve })), what, ms)
  }

  /** Resolves once `count` messages matching have arrived. */
  async waitForCount(
    match: (m: Received) => boolean,
    count: number,
    what: string,
    ms = 10_000,
  ): Promise<Received[]> {
    let found = this.messages.filter(match)
    if (found.length >= count) return found
    await this.waitFor(() => this.messages.filter(match).length >= count, what, ms)
    found = this.messages.filter(match)
    return found
  }

  on(channel: string): Received[] {
    return this.messages.filter((m) => m.channel === channel)
  }
}

const encoder = new TextEncoder()
export const bytes = (text: string): Uint8Array => encoder.encode(text)

/** One connected transport of a contract suite, with what it received and the statuses it gave. */
export interface ContractClient {
  t: Transport
  inbox: Inbox
  statuses: TransportStatus[]
}
