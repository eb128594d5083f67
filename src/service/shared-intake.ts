import type { SkipReason } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import { BoundedQueue } from '../queue/bounded-queue.js'
import type { RpcRequest } from '../rpc/envelope.js'
import { requestKey } from './request-context.js'

/** What the shared-channel intake needs from its service. */
export interface SharedIntakeHost {
  /** SET NX PX on the request's claim key: true when this instance got it. */
  claim(request: RpcRequest): Promise<boolean>
  /** True when this instance is the preferred one for the request, or when it cannot tell. */
  preferred(request: RpcRequest): boolean
  /** Handlers running now. */
  running(): number
  /** Hands a request this instance won to the action queue. */
  admit(request: RpcRequest): void
  /** Called when a claim settles, so the service can tell whether it is idle. */
  settled(): void
  /** This instance let a request go without taking it, for `reason`: where it is counted. */
  skipped(request: RpcRequest, reason: SkipReason): void
}

export interface SharedIntakeConfig {
  readonly concurrency: number
  /** Requests held back at most (in each of the two waits); past that a request is claimed at once. */
  readonly maxHeld: number
  /** How long an instance that is not preferred waits before it claims, in milliseconds. */
  readonly graceMs: number
  /** How long a request may wait for a free slot before it is assumed taken elsewhere, in ms. */
  readonly maxWaitMs: number
  readonly log: Logger
}

interface Held {
  readonly request: RpcRequest
  readonly key: string
  readonly arrivedAt: number
}

/**
 * Requests that arrive on the shared service channel, which every instance receives (a plain
 * Daebus caller publishes only there). Only the instance that claims a request (SET NX PX) may
 * handle or answer it, so each is handled exactly once. Two rules spread the load:
 *
 * - **Preference.** Every instance sees the same list of live instances (PUBSUB CHANNELS), and a
 *   hash of the request_id picks one of them. The preferred instance claims at once; the others
 *   wait `graceMs` before they try, as a fallback for a preferred instance that is gone, slow, or
 *   not yet in everybody's list. Healthy instances thus share requests evenly, whoever reads fastest.
 * - **Capacity.** An instance claims only while it has a free slot (handlers running plus claims
 *   in flight below `concurrency`); otherwise it holds the request until a slot frees, so a busy
 *   instance leaves work to idle ones instead of queueing what it cannot start.
 *
 * The price: each of N instances issues one SET per request (N in all: one wins), and may hold a
 * copy of each waiting request (bounded by `maxHeld`). A request no instance could start within
 * `maxWaitMs` is dropped with a warning, because its claim may have expired meanwhile and
 * claiming it then could run it twice.
 */
export class SharedIntake {
  readonly #host: SharedIntakeHost
  readonly #config: SharedIntakeConfig
  readonly #now: () => number
  /**
   * Not preferred here: waiting out the grace period. Each of the two waits holds `maxHeld` at
   * most and refuses more ('error' policy): a request refused is claimed at once instead.
   */
  readonly #deferred: BoundedQueue<Held>
  /** Waiting for a free slot. */
  readonly #parked: BoundedQueue<Held>
  /** Keys of requests held or being claimed; true once the caller cancelled. */
  readonly #known = new Map<string, boolean>()
  #graceTimer: NodeJS.Timeout | undefined
  #claiming = 0

  constructor(host: SharedIntakeHost, config: SharedIntakeConfig, now: () => number = Date.now) {
    this.#host = host
    this.#config = config
    this.#now = now
    this.#deferred = new BoundedQueue(config.maxHeld, 'error')
    this.#parked = new BoundedQueue(config.maxHeld, 'error')
  }

  /** Claims in flight. */
  get claiming(): number {
    return this.#claiming
  }

  /** Requests held back, for the grace period or for a free slot. */
  get held(): number {
    return this.#deferred.length + this.#parked.length
  }

  offer(request: RpcRequest): void {
    const held: Held = {
      request,
      key: requestKey(request.replyTo, String(request.requestId)),
      arrivedAt: this.#now(),
    }
    this.#known.set(held.key, false)
    if (this.#host.preferred(request) || this.#deferred.push(held) !== 'ok') {
      this.#take(held)
      return
    }
    this.#armGrace()
  }

  /** A cancel for a request held or being claimed; true when it was one. */
  cancel(replyTo: string | undefined, requestId: string): boolean {
    if (this.#known.size === 0) return false
    const key = requestKey(replyTo, requestId)
    if (!this.#known.has(key)) return false
    this.#known.set(key, true)
    return true
  }

  /** A slot may have freed: claim parked requests while there is room. */
  pump(): void {
    while (this.#hasSlot()) {
      const next = this.#parked.shift()
      if (!next) return
      if (this.#dropIfDone(next)) continue
      if (this.#now() - next.arrivedAt > this.#config.maxWaitMs) {
        this.#known.delete(next.key)
        this.#host.skipped(next.request, 'expired')
        this.#config.log.warn(
          { action: next.request.action, requestId: next.request.requestId },
          `dropped a shared-channel request that waited over ${this.#config.maxWaitMs} ms for a free slot; another instance has probably handled it`,
        )
        continue
      }
      this.#claim(next)
    }
  }

  /** Forgets every held request (the service stops: other instances may take them). */
  clear(): void {
    clearTimeout(this.#graceTimer)
    this.#graceTimer = undefined
    for (const held of [...this.#deferred.drain(), ...this.#parked.drain()]) this.#known.delete(held.key)
  }

  /** Claims now if there is a free slot (or nowhere left to hold it), else parks the request. */
  #take(held: Held): void {
    if (this.#hasSlot() || this.#parked.push(held) !== 'ok') this.#claim(held)
  }

  #dropIfDone(held: Held): boolean {
    if (this.#known.get(held.key) !== true) return false
    this.#known.delete(held.key)
    this.#host.skipped(held.request, 'cancelled')
    return true
  }

  #hasSlot(): boolean {
    return this.#host.running() + this.#claiming < this.#config.concurrency
  }

  #armGrace(): void {
    if (this.#graceTimer) return
    const first = this.#deferred.peek()
    if (!first) return
    const delay = Math.max(0, first.arrivedAt + this.#config.graceMs - this.#now())
    this.#graceTimer = setTimeout(this.#graceOver, delay)
  }

  readonly #graceOver = (): void => {
    this.#graceTimer = undefined
    const now = this.#now()
    for (let first = this.#deferred.peek(); first; first = this.#deferred.peek()) {
      if (first.arrivedAt + this.#config.graceMs > now) break
      this.#deferred.shift()
      if (!this.#dropIfDone(first)) this.#take(first)
    }
    this.#armGrace()
  }

  #claim(held: Held): void {
    this.#claiming += 1
    const { request, key } = held
    this.#host.claim(request).then(
      (won) => {
        this.#claiming -= 1
        const cancelled = this.#known.get(key) === true
        this.#known.delete(key)
        if (!won) this.#host.skipped(request, 'claimed_elsewhere')
        else if (cancelled) this.#host.skipped(request, 'cancelled')
        else this.#host.admit(request)
        this.pump()
        this.#host.settled()
      },
      (error: unknown) => {
        this.#claiming -= 1
        this.#known.delete(key)
        // No instance can tell whether another one took it; answering would risk two answers.
        this.#config.log.error(
          { err: error, action: request.action, requestId: request.requestId },
          'could not claim a request from the shared channel: dropped',
        )
        this.pump()
        this.#host.settled()
      },
    )
  }
}

/** FNV-1a, 32 bits: a cheap, well-spread hash of a request_id, the same in every instance. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Picks the preferred instance channel of a request from the sorted list of live ones. */
export function preferredInstance(channels: readonly string[], requestId: string): string | undefined {
  if (channels.length === 0) return undefined
  return channels[hashId(requestId) % channels.length]
}
