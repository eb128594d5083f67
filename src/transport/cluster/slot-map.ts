import type { HostPort } from '../url.js'
import { SLOT_COUNT } from './key-slot.js'

/** One primary and the slot ranges it serves. */
export interface ShardNode extends HostPort {
  /** `host:port`: how shards are told apart. */
  readonly id: string
}

/**
 * Which primary serves each slot, built from a CLUSTER SLOTS answer, without I/O. A slot nobody
 * serves maps to undefined.
 */
export class SlotMap {
  readonly #owners: Array<ShardNode | undefined> = new Array(SLOT_COUNT).fill(undefined)
  readonly #nodes = new Map<string, ShardNode>()

  /** From CLUSTER SLOTS (RESP2): [[start, end, [host, port, id, ...], replicas...], ...]. */
  static fromClusterSlots(reply: unknown, fallbackHost: string): SlotMap {
    const map = new SlotMap()
    if (!Array.isArray(reply)) return map
    for (const range of reply) {
      if (!Array.isArray(range) || range.length < 3) continue
      const [start, end, primary] = range as [unknown, unknown, unknown]
      if (!Array.isArray(primary)) continue
      // An empty host means "the address you reached me on" (cluster-preferred-endpoint-type).
      const host = String(primary[0] ?? '') || fallbackHost
      map.assign(Number(start), Number(end), { host, port: Number(primary[1]) })
    }
    return map
  }

  /** Marks slots `start`..`end` (inclusive) as served by `node`. */
  assign(start: number, end: number, node: HostPort): void {
    const id = `${node.host}:${node.port}`
    let shard = this.#nodes.get(id)
    if (!shard) {
      shard = { host: node.host, port: node.port, id }
      this.#nodes.set(id, shard)
    }
    for (let slot = Math.max(0, start); slot <= Math.min(end, SLOT_COUNT - 1); slot++)
      this.#owners[slot] = shard
  }

  /** The primary serving `slot`, if any. */
  /** True when every slot has the same owner (by node id) in both maps. */
  sameOwners(other: SlotMap): boolean {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (this.#owners[slot]?.id !== other.#owners[slot]?.id) return false
    }
    return true
  }

  ownerOf(slot: number): ShardNode | undefined {
    return this.#owners[slot]
  }

  /** Every primary that serves at least one slot. */
  get primaries(): ShardNode[] {
    return [...this.#nodes.values()]
  }

  /** The number of slots nobody serves. */
  get uncovered(): number {
    let count = 0
    for (const owner of this.#owners) if (!owner) count++
    return count
  }
}
