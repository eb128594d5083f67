import { ConnectionError } from '../../errors.js'
import type { SubscriptionKind } from '../transport.js'
import { MAX_REDIRECTS } from './redirect.js'
import type { Shard } from './shard-set.js'
import type { ShardNode } from './slot-map.js'

const noop = (): void => undefined

/** What the subscriptions need of the transport: where each name goes now, and the shards. */
export interface ShardRouting {
  /** The shard serving the slot of `name` now, or why there is none. */
  shardFor(name: string): Shard | Error
  shard(id: string): Shard | undefined
  /** The primary serving the slot of `name` in the current map. */
  ownerOf(name: string): ShardNode | undefined
  /** True when `error` is a MOVED answer, which the map has learnt from. */
  followMoved(error: unknown, from: ShardNode): boolean
  /** Asks the cluster for its slot map again, and moves what must move. */
  refresh(): Promise<void>
}

/** One subscribed name: the kinds that want it, and the shard it is subscribed on (once placed). */
interface Placement {
  readonly kinds: Set<SubscriptionKind>
  shard: string | undefined
  /** The shard an SSUBSCRIBE for it is in flight to. */
  placing: string | undefined
  /**
   * That shard ended it before the SSUBSCRIBE's caller resumed: its confirmation and the
   * server's SUNSUBSCRIBE came in one read (a slot assigned again while it was placed).
   */
  endedWhilePlacing: boolean
}

/**
 * Which shard each subscribed name lives on: the routing half of a cluster's subscriptions. What
 * each shard's server has confirmed stays with that shard's SubscriptionLedger; this only says
 * where a name must be, and moves it when its slot moves (a migration, a failover).
 */
export class ShardSubscriptions {
  readonly #routing: ShardRouting
  readonly #placements = new Map<string, Placement>()

  constructor(routing: ShardRouting) {
    this.#routing = routing
  }

  /** Every subscribed name. */
  get names(): string[] {
    return [...this.#placements.keys()]
  }

  /** SSUBSCRIBE on the shard of each name not yet subscribed; a failure gives back what it added. */
  async subscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    const unplaced: string[] = []
    const added: string[] = []
    for (const name of names) {
      let placement = this.#placements.get(name)
      if (!placement) {
        placement = { kinds: new Set(), shard: undefined, placing: undefined, endedWhilePlacing: false }
        this.#placements.set(name, placement)
      }
      if (!placement.kinds.has(kind)) added.push(name)
      placement.kinds.add(kind)
      if (placement.shard === undefined) unplaced.push(name)
    }
    try {
      await this.#place(unplaced)
    } catch (error) {
      await this.unsubscribe(kind, added).catch(noop)
      throw error
    }
  }

  /** SUNSUBSCRIBE each name no kind wants any more, on its shard. */
  async unsubscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    const byShard = new Map<string, string[]>()
    for (const name of names) {
      const placement = this.#placements.get(name)
      if (!placement?.kinds.delete(kind) || placement.kinds.size > 0) continue
      this.#placements.delete(name)
      if (placement.shard !== undefined) group(byShard, placement.shard, name)
    }
    await Promise.all(
      [...byShard].map(([id, group]) => this.#routing.shard(id)?.links.unsubscribe('shard', group)),
    )
  }

  /** Subscribes each name on the shard serving its slot, one SSUBSCRIBE per name, following MOVED. */
  async #place(names: readonly string[], redirects = 0): Promise<void> {
    const byShard = new Map<string, string[]>()
    for (const name of names) {
      const shard = this.#routing.shardFor(name)
      if (shard instanceof Error) throw shard
      group(byShard, shard.node.id, name)
    }
    const retry: string[] = []
    let endedAny = false
    await Promise.all(
      [...byShard].map(async ([id, group]) => {
        const shard = this.#routing.shard(id)
        if (!shard) throw new ConnectionError(`SSUBSCRIBE failed: the shard ${id} left the cluster; retry`)
        await shard.opened
        this.#markPlacing(group, id)
        try {
          await shard.links.subscribe('shard', group)
        } catch (error) {
          this.#markPlacing(group, undefined)
          if (redirects < MAX_REDIRECTS && this.#routing.followMoved(error, shard.node)) retry.push(...group)
          else throw error
          return
        }
        const ended: string[] = []
        for (const name of group) {
          const placement = this.#placements.get(name)
          if (placement?.placing === id) placement.placing = undefined
          if (placement?.endedWhilePlacing) ended.push(name)
          else if (placement) placement.shard = id
          // Unsubscribed while this was in flight: taken back.
          else await shard.links.unsubscribe('shard', [name])
        }
        if (ended.length === 0) return
        // The shard's ledger still wants them: told otherwise, then placed where the map says now.
        await shard.links.unsubscribe('shard', ended)
        retry.push(...ended.filter((name) => this.#placements.has(name)))
        endedAny = true
      }),
    )
    if (retry.length === 0) return
    if (redirects >= MAX_REDIRECTS) {
      throw new ConnectionError(
        `SSUBSCRIBE of ${retry.length} shard channels failed: their slots kept moving; retry once the cluster settles`,
      )
    }
    if (endedAny) await this.#routing.refresh()
    await this.#place(retry, redirects + 1)
  }

  #markPlacing(names: readonly string[], id: string | undefined): void {
    for (const name of names) {
      const placement = this.#placements.get(name)
      if (!placement) continue
      placement.placing = id
      placement.endedWhilePlacing = false
    }
  }

  /** Moves names subscribed on a shard that no longer serves their slot to the one that does. */
  async rehome(names: readonly string[]): Promise<void> {
    const leaving = new Map<string, string[]>()
    for (const name of names) {
      const placement = this.#placements.get(name)
      if (!placement || placement.shard === undefined) continue
      if (this.#routing.ownerOf(name)?.id === placement.shard) continue
      group(leaving, placement.shard, name)
      placement.shard = undefined
    }
    if (leaving.size === 0) return
    await Promise.all(
      [...leaving].map(([id, group]) =>
        this.#routing.shard(id)?.links.unsubscribe('shard', group).catch(noop),
      ),
    )
    await this.#place([...leaving.values()].flat())
  }

  /**
   * The server ended `name` (its slot moved away): subscribed again where the refreshed map says,
   * and if the map is still behind the servers, where the MOVED answer says.
   */
  async serverUnsubscribed(node: ShardNode, name: string): Promise<void> {
    const placement = this.#placements.get(name)
    if (placement && placement.shard === undefined && placement.placing === node.id) {
      placement.endedWhilePlacing = true // #place subscribes it again once its SSUBSCRIBE returns.
      return
    }
    if (placement?.shard !== node.id) return
    placement.shard = undefined
    await this.#routing.shard(node.id)?.links.unsubscribe('shard', [name])
    await this.#routing.refresh()
    if (this.#placements.get(name)?.shard === undefined) await this.#place([name])
  }
}

function group(groups: Map<string, string[]>, key: string, name: string): void {
  const list = groups.get(key)
  if (list) list.push(name)
  else groups.set(key, [name])
}
