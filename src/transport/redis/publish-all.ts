import { ConnectionError } from '../../errors.js'
import type { ChannelName } from '../channel-key.js'
import type { Payload, PublishReceipt } from '../transport.js'

/**
 * Publishes every message of a batch through `publishTo` and gathers the receipts: resolves to
 * each one's receivers, in order, once all are published; else rejects, once every receipt has
 * been told, with the first failure. That failure speaks for the whole batch: when any message
 * of it was published, or may have been, retrying the batch may deliver that one twice, so a
 * ConnectionError saying `maybeDelivered: false` becomes one saying true.
 */
export function publishAll<N extends ChannelName>(
  messages: ReadonlyArray<readonly [channel: N, payload: Payload]>,
  publishTo: (channel: N, payload: Payload, receipt: PublishReceipt) => void,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const counts = new Array<number>(messages.length).fill(0)
    let left = messages.length
    let sent = 0
    let failure: unknown
    const settled = (): void => {
      left -= 1
      if (left > 0) return
      if (failure === undefined) resolve(counts)
      else reject(sent > 0 ? partlySent(failure, sent, messages.length) : failure)
    }
    messages.forEach(([channel, payload], i) => {
      publishTo(channel, payload, {
        published: (receivers) => {
          counts[i] = receivers
          sent += 1
          settled()
        },
        publishFailed: (error) => {
          if (error instanceof ConnectionError && error.maybeDelivered) sent += 1
          failure ??= error
          settled()
        },
      })
    })
  })
}

/** The batch's failure, once `sent` of its `total` messages were (or may have been) delivered. */
function partlySent(failure: unknown, sent: number, total: number): unknown {
  if (!(failure instanceof ConnectionError) || failure.maybeDelivered) return failure
  return new ConnectionError(
    `${failure.message}; ${sent} of the batch's ${total} messages were delivered or may have been, so retrying the whole batch may deliver those twice`,
    { cause: failure, url: failure.url, maybeDelivered: true },
  )
}
