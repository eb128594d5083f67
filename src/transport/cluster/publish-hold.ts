import type { PublishConnection } from '../redis/publish-connection.js'
import type { Payload, PublishReceipt } from '../transport.js'

type Send = (channel: string, payload: Payload, receipt: PublishReceipt) => void

/**
 * Keeps a channel's publishes in order across a slot move. When a slot moves, publishes already
 * in flight to its old owner come back MOVED and are sent again to the new one; a publish made
 * meanwhile and routed straight to the new owner would overtake them. So once the topology
 * changes, new publishes wait here until every publish link that had replies outstanding has
 * them all (its MOVED publishes resent by then), then go out in the order they were made. The
 * wait is about one round trip, and only when a slot moves or the slot map changes.
 */
export class PublishHold {
  readonly #send: Send
  #held: Array<[string, Payload, PublishReceipt]> | undefined
  #waits = 0

  constructor(send: Send) {
    this.#send = send
  }

  /** Keeps the publish, and true, while holding; false to send it now. */
  take(channel: string, payload: Payload, receipt: PublishReceipt): boolean {
    if (this.#held === undefined) return false
    this.#held.push([channel, payload, receipt])
    return true
  }

  /** Holds new publishes until each of these links has every reply it awaits now. */
  until(links: ReadonlyArray<PublishConnection | undefined>): void {
    const busy = links.filter((link): link is PublishConnection => link !== undefined && link.pending > 0)
    if (busy.length === 0) return
    this.#held ??= []
    this.#waits += busy.length
    for (const link of busy) {
      void link.whenIdle().then(() => {
        this.#waits -= 1
        if (this.#waits === 0) this.#release()
      })
    }
  }

  #release(): void {
    const held = this.#held ?? []
    this.#held = undefined
    for (const [channel, payload, receipt] of held) this.#send(channel, payload, receipt)
  }
}
