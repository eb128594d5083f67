import type { Payload, PublishReceipt } from '../transport/transport.js'

/** What the batcher needs of the bus: publishing with a receipt. */
export type BatchLink = { publishTo(channel: string, payload: Payload, receipt: PublishReceipt): void }

/** Responses gathered for one reply channel in this tick. */
interface OpenBatch {
  readonly parts: string[]
  readonly receipts: PublishReceipt[]
  /** The JSON array's length in characters: brackets, parts and commas. */
  chars: number
  /** The most bytes its caller takes in one message. */
  readonly maxBytes: number
}

/** The receipt of one PUBLISH that carried several responses: each hears how it ended. */
class FanOut implements PublishReceipt {
  readonly #receipts: readonly PublishReceipt[]

  constructor(receipts: readonly PublishReceipt[]) {
    this.#receipts = receipts
  }

  published(receivers: number): void {
    for (const receipt of this.#receipts) receipt.published(receivers)
  }

  publishFailed(error: unknown): void {
    for (const receipt of this.#receipts) receipt.publishFailed(error)
  }
}

/**
 * Sends the responses a service makes in one tick for one caller as one message, a JSON array of
 * them, when the caller said it takes that (`reply_batch`, in bytes): one PUBLISH and one
 * delivery instead of one per response, which is most of what Redis does for an RPC under load.
 * Responses to one channel keep their order: a response that cannot join a batch (too large, or
 * bytes) sends what is gathered for its channel first. Sizes are counted as 3 bytes a character,
 * the most UTF-8 takes, so a batch never exceeds what its caller takes.
 */
export class ReplyBatcher {
  readonly #link: BatchLink
  readonly #open = new Map<string, OpenBatch>()
  #scheduled = false

  constructor(link: BatchLink) {
    this.#link = link
  }

  /** Sends `text` to `channel` in this tick's batch for it, or alone (see the class). */
  add(channel: string, text: Payload, receipt: PublishReceipt, maxBytes: number): void {
    let batch = this.#open.get(channel)
    if (typeof text !== 'string' || (text.length + 2) * 3 > maxBytes) {
      if (batch !== undefined) this.#send(channel, batch)
      this.#link.publishTo(channel, text, receipt)
      return
    }
    if (batch !== undefined && (batch.chars + text.length + 1) * 3 > Math.min(maxBytes, batch.maxBytes)) {
      this.#send(channel, batch)
      batch = undefined
    }
    if (batch === undefined) {
      batch = { parts: [], receipts: [], chars: 1, maxBytes }
      this.#open.set(channel, batch)
      if (!this.#scheduled) {
        this.#scheduled = true
        process.nextTick(this.#flush)
      }
    }
    batch.parts.push(text)
    batch.receipts.push(receipt)
    batch.chars += text.length + 1
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    for (const [channel, batch] of this.#open) this.#send(channel, batch)
  }

  #send(channel: string, batch: OpenBatch): void {
    this.#open.delete(channel)
    const { parts, receipts } = batch
    if (parts.length === 1) this.#link.publishTo(channel, parts[0] as string, receipts[0] as PublishReceipt)
    else this.#link.publishTo(channel, `[${parts.join(',')}]`, new FanOut(receipts))
  }
}
