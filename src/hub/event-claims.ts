import { createHash } from 'node:crypto'
import type { Message } from '../pubsub/message.js'
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
 * Whether a claim holding `value` (its claimer's clock, ms) was made before `sinceMs`: by a hub
 * that heard an earlier delivery, not this one. Hubs of earlier versions claim with '1', which is
 * read as this delivery, as they read it themselves.
 */
export function claimedBefore(value: string, sinceMs: number): boolean {
  const at = Number(value)
  return Number.isSafeInteger(at) && at > 1 && at < sinceMs
}

/**
 * Decides which hub routes a delivery: the one that claims the nth arrival of its bytes on its
 * channel (`switchboard:hub:<name>:event:<hash>:<n>`), so that one hub of several routes it and a
 * repeat is routed again. The hubs that heard the same deliveries agree on n. One that began
 * hearing the channel later (a restart, a new hub) counts from 1 while claims of earlier
 * deliveries still hold: a claim it finds made before it began hearing (each holds its
 * claimer's clock) is such a delivery, so it counts on, until a claim is its own or was made for
 * this delivery by another hub. Each step moves up one, and old claims expire after claimMs.
 */
export class EventClaims {
  readonly #context: HubContext
  readonly #claimMs: number
  readonly #skewMs: number
  readonly #now: () => number
  readonly #occurrences: Occurrences
  /** When this hub began hearing each channel, by its clock. */
  readonly #since = new Map<string, number>()

  constructor(context: HubContext, claimMs: number, skewMs: number, now: () => number = Date.now) {
    this.#context = context
    this.#claimMs = claimMs
    this.#skewMs = skewMs
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
    // Another host's clock may be behind this one's: a claim made up to skewMs before this hub
    // began hearing may be this delivery's, and is taken as such (the delivery is skipped).
    const sinceMs = (this.#since.get(message.channel) ?? 0) - this.#skewMs
    const prefix = `switchboard:hub:${hub}:event:${hash}:`
    let count = this.#occurrences.next(hash)
    for (;;) {
      const key = prefix + count
      if (await this.#context.claim(key, this.#claimMs, String(this.#now()))) return true
      const holder = await this.#context.claimValue(key)
      // Expired between the two commands: no hub holds it now; claim it again.
      if (holder === undefined) continue
      if (!claimedBefore(holder, sinceMs)) return false
      count += 1
      this.#occurrences.catchUp(hash, count)
    }
  }
}
