import { boundedMemo } from '../../memo.js'
import { keySlot, SLOT_COUNT } from './key-slot.js'
import type { Shard } from './shard-set.js'

/**
 * keySlot() remembered for the last few thousand names: most publishes go to names seen before,
 * and a Map lookup costs less than the CRC16 of the name.
 */
export const slotOf = boundedMemo(keySlot, 8192)

/**
 * The shard each slot was last routed to, so that a publish finds its shard by the slot alone:
 * asking the slot map for the node and the shard set for the node's shard (a Map keyed by
 * `host:port`) on every publish cost as much as the rest of the routing. Forgotten whenever the
 * topology changes (a new slot map, a MOVED, a shard dropped), so it never outlives what it
 * remembers.
 */
export class ShardRoutes {
  #shards: Array<Shard | undefined> = new Array(SLOT_COUNT).fill(undefined)
  #empty = true

  /** The shard `slot` was last routed to, if nothing changed since. */
  get(slot: number): Shard | undefined {
    return this.#shards[slot]
  }

  remember(slot: number, shard: Shard): void {
    this.#shards[slot] = shard
    this.#empty = false
  }

  forget(): void {
    if (this.#empty) return
    this.#shards = new Array(SLOT_COUNT).fill(undefined)
    this.#empty = true
  }
}
