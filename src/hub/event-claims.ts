import { createHash } from 'node:crypto'
import type { Message } from '../pubsub/message.js'
import type { ClaimReading } from '../transport/transport.js'
import type { HubContext } from './hub-context.js'
import { Occurrences } from './occurrences.js'

/** An event's identity among hubs: its channel and exact bytes. */
export function eventHash(message: Message<unknown>): string {
  return createHash('sha256')
    .update(message.channelBytes)
    .update('\0')
    .update(message.raw)
    .digest('base64url')
}

/**
 * Room for rounding: the broker's clock and PTTL count whole milliseconds, so an age read is off
 * by up to one either way. A claim older than the time this hub has heard its channel by more
 * than this was made before it heard any of it.
 */
export const CLAIM_AGE_SLACK_MS = 2

/**
 * Whether a claim was made before this hub began hearing its channel: by a hub that heard an
 * earlier delivery, not this one. A claim holds the time it was made to last (its claimer's
 * eventClaimMs), so its age is that less the time it has left, measured by the broker's clock;
 * `heardMs` is measured by this hub's. Both are durations: clocks of different hosts need not
 * agree. Hubs of earlier versions claim with '1', which reads as new: this delivery, as they
 * read it themselves.
 */
export function claimedBefore(reading: ClaimReading, heardMs: number): boolean {
  const lastsMs = Number(reading.value)
  return Number.isSafeInteger(lastsMs) && lastsMs - reading.remainingMs > heardMs + CLAIM_AGE_SLACK_MS
}

/**
 * Decides which hub routes a delivery: the one that claims the nth arrival of its bytes on its
 * channel (`switchboard:hub:<name>:event:<hash>:<n>`), so that one hub of several routes it and a
 * repeat is routed again. The hubs that heard the same deliveries agree on n. One that began
 * hearing the channel later (a restart, a new hub) counts from 1 while claims of earlier
 * deliveries still hold: a claim older than the time it has heard the channel is such a
 * delivery, so it counts on, until a claim is its own or was made for this delivery by another
 * hub. Each step moves up one, and old claims expire after claimMs.
 */
export class EventClaims {
  readonly #context: HubContext
  readonly #claimMs: number
  readonly #now: () => number
  readonly #occurrences: Occurrences
  /** When this hub began hearing each channel, by its monotonic clock. */
  readonly #since = new Map<string, number>()

  constructor(context: HubContext, claimMs: number, now: () => number = performance.now.bind(performance)) {
    this.#context = context
    this.#claimMs = claimMs
    this.#now = now
    this.#occurrences = new Occurrences(claimMs, now)
  }

  /** Call just before subscribing `channel`: every delivery heard on it is published after now. */
  hearing(channel: string): void {
    this.#since.set(channel, this.#now())
  }

  /**
   * True when this hub claimed `message` and routes it; false when another hub did. Rejects when
   * the broker fails.
   */
  async claim(hub: string, message: Message<unknown>): Promise<boolean> {
    const hash = eventHash(message)
    const prefix = `switchboard:hub:${hub}:event:${hash}:`
    const value = String(this.#claimMs)
    let count = this.#occurrences.next(hash)
    for (;;) {
      const key = prefix + count
      if (await this.#context.claim(key, this.#claimMs, value)) return true
      const reading = await this.#context.readClaim(key)
      // Expired between the two commands: no hub holds it now; claim it again.
      if (reading === undefined) continue
      // Read after the reply, so the time heard is never short of the claim's age.
      const heardMs = this.#now() - (this.#since.get(message.channel) ?? Number.NEGATIVE_INFINITY)
      if (!claimedBefore(reading, heardMs)) return false
      count += 1
      this.#occurrences.catchUp(hash, count)
    }
  }
}
