import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { type ChannelKey, keyName, keyOfBytes } from '../channel-key.js'
import { SUBSCRIBE_COMMANDS, type SubscriptionKind } from '../transport.js'
import type { RedisUrl } from '../url.js'
import { killFilters } from './client-identity.js'
import { handshakeCommands, openSocket } from './own-socket.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import { type PushSink, ReplyError, RespReader, type RespValue } from './resp-reader.js'
import { encodeCommand } from './resp-writer.js'
import { type SubscriptionEvents, SubscriptionOp } from './subscription-ledger.js'

/** What a confirmation push (`subscribe`, `punsubscribe`, `ssubscribe`...) confirms, by its name. */
const CONFIRMATIONS: ReadonlyMap<string, { kind: SubscriptionKind; op: SubscriptionOp }> = new Map(
  (Object.entries(SUBSCRIBE_COMMANDS) as Array<[SubscriptionKind, Record<SubscriptionOp, string>]>).flatMap(
    ([kind, commands]) =>
      Object.values(SubscriptionOp).map((op) => [commands[op].toLowerCase(), { kind, op }] as const),
  ),
)

/** A command waiting for its reply: a plain one takes the next reply; a (un)subscribe, its confirmations. */
interface Waiting {
  /** Set for a (un)subscribe: what it confirms. */
  readonly subscription:
    | { kind: SubscriptionKind; op: SubscriptionOp; names: readonly ChannelKey[] }
    | undefined
  /** Confirmations still to come, for a (un)subscribe. */
  remaining: number
  resolve(value: unknown): void
  reject(error: Error): void
  /** Settles with the command, either way: what close() waits for. */
  settled: Promise<unknown>
}

/**
 * The subscriber connection, with RESP written and read by switchboard itself instead of
 * node-redis: messages are most of what a subscriber reads, and node-redis's reply parser and
 * pub/sub dispatch cost about 3 µs of every message's 6 (see bench/README.md). It speaks only
 * what a subscriber needs: the handshake (AUTH, CLIENT SETNAME), ROLE (Sentinel's check), and the
 * (UN)SUBSCRIBE commands of every kind from SUBSCRIBE_COMMANDS, each resolved once Redis confirmed
 * every name, and PING (the liveness probe's: RESP2 answers it `pong` as an array once the
 * connection is subscribed, and `+PONG` before). It keeps no subscription state: it reports what it sent and what Redis confirmed to
 * its SubscriptionEvents (the SubscriptionLedger), in stream order. It never reconnects by
 * itself: ManagedConnection replaces it, as it does node-redis clients, after 'terminated', and
 * bounds connect() by connectTimeoutMs.
 *
 * Events: 'error' (the socket failed while ready) and 'terminated' (the connection ended without
 * close() or destroy()), with the cause.
 */
export class SubscriberConnection extends EventEmitter {
  readonly #target: RedisUrl
  readonly #options: ResolvedRedisTransportOptions
  readonly #reader: RespReader
  readonly #waiting: Waiting[] = []
  readonly #events: SubscriptionEvents
  #socket: Socket | undefined
  #ready = false
  /** Set by close() and destroy(): the end that follows is ours, not news. */
  #ending = false
  /** Chunks read so far: anything arriving proves the server is there (see liveness-probe.ts). */
  #heard = 0
  #killFilters: readonly string[] | undefined

  /** `sink` gets every message push (`message`, `pmessage`, `smessage`); `events`, the rest. */
  constructor(
    target: RedisUrl,
    options: ResolvedRedisTransportOptions,
    sink: PushSink,
    events: SubscriptionEvents,
  ) {
    super()
    this.#target = target
    this.#options = options
    this.#events = events
    this.#reader = new RespReader((value) => this.#onReply(value), { onPush: sink })
  }

  get isOpen(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed
  }

  get isReady(): boolean {
    return this.#ready && this.isOpen
  }

  /** Chunks read so far. */
  get heard(): number {
    return this.#heard
  }

  /** The CLIENT KILL filters that end this connection on its server (see client-identity.ts). */
  get killFilters(): readonly string[] | undefined {
    return this.#killFilters
  }

  /**
   * Opens the socket and runs the handshake; rejects (and cleans up) on failure. Its deadline is
   * the caller's (ManagedConnection), which destroys it when the deadline passes.
   */
  async connect(): Promise<void> {
    const target = this.#target
    const socket = openSocket(target, this.#options)
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#heard += 1
      try {
        this.#reader.feed(chunk)
      } catch (error) {
        socket.destroy(error instanceof Error ? error : new Error(String(error)))
      }
    })
    socket.on('error', (error: Error) => {
      if (this.#ready && !this.#ending) this.emit('error', error)
    })
    socket.on('close', () => this.#onClose(socket))
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once(target.tls ? 'secureConnect' : 'connect', resolve)
        socket.once('error', reject)
        socket.once('close', () => reject(new Error('the connection closed while opening')))
      })
      const handshake = handshakeCommands(target, this.#options, 'sub').map((args) => this.sendCommand(args))
      // In the same round trip; a server without CLIENT INFO (before 6.2) only loses the clean-up.
      const info = this.sendCommand(['CLIENT', 'INFO']).catch(() => undefined)
      await Promise.all(handshake)
      this.#killFilters = killFilters(await info)
      this.#ready = true
    } catch (error) {
      this.destroy()
      throw error
    }
  }

  /** A plain command, before subscribing: Sentinel's ROLE; and PING, at any time. */
  sendCommand<T = unknown>(args: readonly string[]): Promise<T> {
    return this.#send(undefined, args, 1) as Promise<T>
  }

  /**
   * Sends SUBSCRIBE_COMMANDS[kind][op] for the names of `keys`, as their exact bytes; resolves once
   * Redis confirmed every one.
   */
  send(kind: SubscriptionKind, op: SubscriptionOp, keys: readonly ChannelKey[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve()
    const args = [SUBSCRIBE_COMMANDS[kind][op], ...keys.map(keyName)]
    return this.#send({ kind, op, names: keys }, args, keys.length)
  }

  /** Waits for the replies in flight, then ends the connection. */
  async close(): Promise<void> {
    const socket = this.#socket
    if (!socket || socket.destroyed) return
    this.#ending = true
    await Promise.all(this.#waiting.map((waiting) => waiting.settled))
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve())
      socket.end()
    })
  }

  /** Cuts the connection now: what is in flight is rejected. */
  destroy(): void {
    this.#ending = true
    this.#socket?.destroy()
  }

  #send(
    subscription: Waiting['subscription'],
    args: readonly (string | Uint8Array)[],
    replies: number,
  ): Promise<never> {
    const socket = this.#socket
    if (!socket || socket.destroyed || this.#ending) {
      return Promise.reject(new Error('the subscriber connection is closed'))
    }
    let waiting!: Waiting
    const reply = new Promise<never>((resolve, reject) => {
      waiting = { subscription, remaining: replies, resolve, reject, settled: Promise.resolve() }
    })
    waiting.settled = reply.catch(() => undefined)
    this.#waiting.push(waiting)
    if (subscription) this.#events.sent(subscription.kind, subscription.op, subscription.names)
    socket.write(encodeCommand(args))
    return reply
  }

  #onReply(value: RespValue): void {
    const head = this.#waiting[0]
    // Messages never get here: the reader hands them to the sink on its fast path. Neither does
    // anything else often: confirmations, and a PING's answer about once a second.
    if (Array.isArray(value) && value[0] instanceof Buffer) {
      const confirmation = CONFIRMATIONS.get(value[0].toString())
      if (confirmation) {
        const name = value[1]
        const key = name instanceof Buffer ? keyOfBytes(name) : String(name)
        this.#events.confirmed(confirmation.kind, confirmation.op, key)
        const awaited = head?.subscription
        if (head && awaited?.kind === confirmation.kind && awaited.op === confirmation.op) {
          head.remaining -= 1
          if (head.remaining === 0) {
            this.#waiting.shift()
            head.resolve(undefined)
          }
        }
        return
      }
      // A subscribed connection answers PING with ["pong", ""]: the reply of the plain command
      // at the head, as `+PONG` is before subscribing. Any other push while a (un)subscribe
      // waits is no reply to it.
      if (head?.subscription) return
    }
    this.#waiting.shift()
    if (!head) return
    if (value instanceof ReplyError) {
      const refused = head.subscription
      if (refused) this.#events.refused(refused.kind, refused.op, refused.names)
      head.reject(value)
    } else head.resolve(value)
  }

  #onClose(socket: Socket): void {
    if (this.#socket !== socket) return
    const wasReady = this.#ready
    this.#ready = false
    this.#reader.reset()
    const cause = new Error('Socket closed unexpectedly')
    for (const waiting of this.#waiting.splice(0)) waiting.reject(cause)
    if (wasReady && !this.#ending) this.emit('terminated', cause)
  }
}
