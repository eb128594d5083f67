import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { BoundedQueue, UNBOUNDED } from '../../queue/bounded-queue.js'
import type { ChannelName } from '../channel-key.js'
import type { Payload, PublishReceipt } from '../transport.js'
import type { RedisUrl } from '../url.js'
import { handshakeCommands, openSocket } from './own-socket.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import { type ReplyError, type SimpleReply, SimpleReplyReader } from './resp-reader.js'
import { encodeCommand, type PublishCommand, PublishWriter } from './resp-writer.js'

/** Bytes gathered before they are written without waiting for the end of the tick. */
const FLUSH_BYTES = 256 * 1024

const PING = encodeCommand(['PING'])
/** Stands in the channel list for a PING, whose receipt is the probe's. */
const PING_MARK = Symbol('PING')

type Settle = (reply: SimpleReply | Error) => void

/**
 * Turns what went wrong with a PUBLISH to `channel` into the error its receipt gets.
 * `maybeDelivered`: the PUBLISH was handed to the kernel before the failure, so Redis may have
 * received it; false when it never left this process, or Redis refused it.
 */
export type PublishErrorWrapper = (error: unknown, channel: ChannelName, maybeDelivered: boolean) => unknown

/**
 * Takes a publish Redis refused (an error reply) before its receipt hears of it: true when it
 * sent the publish elsewhere (a Redis Cluster's MOVED), and the receipt will hear from there;
 * false to let the receipt have the error. It must not throw: it runs in the reply reader.
 */
export type RefusedPublish = (
  error: ReplyError,
  channel: ChannelName,
  payload: Payload,
  receipt: PublishReceipt,
) => boolean

/** How a PublishConnection publishes besides its target. */
export interface PublishConnectionOptions {
  /** SPUBLISH on a shard of Redis Cluster. @defaultValue 'PUBLISH' */
  command?: PublishCommand
  /**
   * Given, the connection keeps each payload until its reply, so that a refused publish can be
   * sent again (see RefusedPublish); without it, no payload is kept past its write.
   */
  onRefused?: RefusedPublish
}

/**
 * A connection that carries nothing but PUBLISH, written as RESP by switchboard itself: every
 * publish made in one tick goes out in one buffer and one socket write (after the promise
 * continuations of that tick have run, so that publishes they make join it). node-redis spends
 * three socket chunks, a command object, an options object and a reply parse per command; for
 * PUBLISH, which is most of what a messaging client sends, that is most of the cost.
 *
 * It is the one path of every publish. Like the subscriber client it never reconnects by itself:
 * ManagedConnection replaces it after 'terminated' (and bounds connect() by connectTimeoutMs),
 * and what was in flight on a connection that drops is rejected, each saying whether it may have
 * reached Redis. A PING (ping()) takes its turn among the publishes: its answer proves the whole
 * path still works.
 *
 * One socket write at a time: what is published while a write is in flight waits in the
 * connection until it completes, and then leaves in one write. Node would gather it just the
 * same (and write it with writev), but then nobody could tell, when the connection is lost,
 * what Node still held (it never left) from what it had handed to the kernel (which may reach a
 * paused server once it resumes). Written to the socket means handed to the kernel here; and a
 * write takes about FLUSH_BYTES at most (one chunk at least), so that under back-pressure what
 * is written, and may have left, stays close to what the kernel really took.
 *
 * Events: 'terminated' (the connection ended without close() or destroy()), with the cause.
 */
export class PublishConnection extends EventEmitter {
  readonly #target: RedisUrl
  readonly #options: ResolvedRedisTransportOptions
  readonly #wrapError: PublishErrorWrapper
  #socket: Socket | undefined
  #ready = false
  /** Set by close() and destroy(): the end that follows is ours, not news. */
  #ending = false
  readonly #writer: PublishWriter
  /** The handshake's replies come first, before any PUBLISH is written. */
  #handshakeReplies: Settle[] = []
  /** The receipt, and the channel, of each PUBLISH (or PING) in flight, in the order they were written. */
  /**
   * Unbounded here: each entry is a publish() whose promise the application holds and has not
   * seen settle (or one liveness PING), so they are bounded by what the application leaves in flight.
   */
  readonly #waiting = new BoundedQueue<PublishReceipt>(UNBOUNDED)
  readonly #channels = new BoundedQueue<ChannelName | typeof PING_MARK>(UNBOUNDED)
  /** The payload of each command in flight, only when there is #onRefused to send it again. */
  readonly #payloads = new BoundedQueue<Payload | undefined>(UNBOUNDED)
  readonly #onRefused: RefusedPublish | undefined
  /** How many commands came before the front of #waiting: its i-th entry is command number #base + i. */
  #base = 0
  /** Bytes taken from the writer, waiting for the write in flight to complete... */
  readonly #held = new BoundedQueue<Buffer>(UNBOUNDED)
  /** ...and for each chunk, the number of the command after its last one. */
  readonly #heldEnds = new BoundedQueue<number>(UNBOUNDED)
  /** Commands [0, #sentEnd) were written: they may have left. */
  #sentEnd = 0
  #writing = false
  /** Chunks read so far: anything arriving proves the server is there (see liveness-probe.ts). */
  #heard = 0
  #scheduled = false
  /** Who waits for every reply to be in (whenIdle()): close(), and a cluster holding publishes. */
  readonly #idleWaiters: Array<() => void> = []

  /** `wrapError` makes the error a failed PUBLISH reports. */
  constructor(
    target: RedisUrl,
    options: ResolvedRedisTransportOptions,
    wrapError: PublishErrorWrapper,
    publishing: PublishConnectionOptions = {},
  ) {
    super()
    this.#writer = new PublishWriter(publishing.command)
    this.#onRefused = publishing.onRefused
    this.#target = target
    this.#options = options
    this.#wrapError = wrapError
  }

  /** Where it connects. */
  get target(): RedisUrl {
    return this.#target
  }

  get isOpen(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed
  }

  /** True when publish() may be called: the handshake is done and the connection stands. */
  get isReady(): boolean {
    return this.#ready
  }

  /** Replies still awaited. */
  get pending(): number {
    return this.#waiting.length
  }

  /** Chunks read so far. */
  get heard(): number {
    return this.#heard
  }

  /**
   * Opens the connection and runs the handshake (AUTH, CLIENT SETNAME); rejects on failure, with
   * the server's reason when it refused the handshake. Its deadline is the caller's
   * (ManagedConnection), which destroys it when the deadline passes.
   */
  async connect(): Promise<void> {
    const socket = openSocket(this.#target, this.#options)
    this.#socket = socket
    const reader = new SimpleReplyReader((reply) => this.#settle(reply))
    socket.on('data', (chunk: Buffer) => {
      this.#heard += 1
      if (!reader.feed(chunk)) this.#drop(socket, new Error('unexpected reply on the publish connection'))
    })
    socket.on('error', (error: Error) => this.#drop(socket, error))
    socket.on('close', () => this.#drop(socket, new Error('the publish connection closed')))
    try {
      await this.#handshake(socket)
      if (this.#socket !== socket || this.#ending)
        throw new Error('the publish connection closed while opening')
      this.#ready = true
    } catch (error) {
      this.destroy()
      throw error
    }
  }

  async #handshake(socket: Socket): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      socket.once(this.#target.tls ? 'secureConnect' : 'connect', resolve)
      socket.once('close', () => reject(new Error('the publish connection closed while opening')))
    })
    const replies = handshakeCommands(this.#target, this.#options, 'pub').map((args) => {
      socket.write(encodeCommand(args))
      return new Promise<SimpleReply | Error>((resolve) => this.#handshakeReplies.push(resolve))
    })
    for (const reply of await Promise.all(replies)) if (reply instanceof Error) throw reply
  }

  /** Queues one PUBLISH; `receipt` hears how it ended, on a later turn. Only while ready (see isReady). */
  publish(channel: ChannelName, payload: Payload, receipt: PublishReceipt): void {
    this.#writer.add(channel, payload)
    this.#waiting.push(receipt)
    this.#channels.push(channel)
    if (this.#onRefused) this.#payloads.push(payload)
    if (this.#writer.size >= FLUSH_BYTES) this.flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      process.nextTick(this.#onTick)
    }
  }

  /**
   * Sends a PING behind the publishes gathered so far; resolves when it is answered, rejects
   * when the connection drops first. Only while ready.
   */
  ping(): Promise<void> {
    if (!this.#socket || !this.#ready) return Promise.reject(new Error('the publish connection is not open'))
    return new Promise((resolve, reject) => {
      this.#take()
      this.#waiting.push({ published: () => resolve(), publishFailed: reject })
      this.#channels.push(PING_MARK)
      if (this.#onRefused) this.#payloads.push(undefined)
      this.#hold(PING)
      this.#writeHeld()
    })
  }

  /** Writes what is gathered now, or as soon as the write in flight completes. */
  flush(): void {
    this.#take()
    this.#writeHeld()
  }

  #take(): void {
    const bytes = this.#writer.take()
    if (bytes) this.#hold(bytes)
  }

  /** Holds the bytes of every command queued so far and not yet held. */
  #hold(bytes: Buffer): void {
    this.#held.push(bytes)
    this.#heldEnds.push(this.#base + this.#waiting.length)
  }

  /** Writes the first held chunks, about FLUSH_BYTES of them, unless a write is in flight. */
  #writeHeld(): void {
    const socket = this.#socket
    const held = this.#held
    if (this.#writing || !socket || held.length === 0) return
    let count = 0
    for (let size = 0; count < held.length && (count === 0 || size < FLUSH_BYTES); count++) {
      size += (held.at(count) as Buffer).length
    }
    const chunks: Buffer[] = []
    for (let i = 0; i < count; i++) {
      chunks.push(held.shift() as Buffer)
      this.#sentEnd = this.#heldEnds.shift() as number
    }
    this.#writing = true
    if (count === 1) {
      socket.write(chunks[0] as Buffer, this.#onWritten)
      return
    }
    // Corked, the chunks leave together in one writev, with no copy; the last one's callback
    // comes when all of them are written.
    socket.cork()
    for (let i = 0; i < count - 1; i++) socket.write(chunks[i] as Buffer)
    socket.write(chunks[count - 1] as Buffer, this.#onWritten)
    socket.uncork()
  }

  readonly #onWritten = (error?: Error | null): void => {
    this.#writing = false
    if (!error) this.flush()
  }

  /**
   * Writes what is gathered and waits for the replies in flight, then ends the connection.
   * ManagedConnection bounds the wait, and cuts the connection (destroy()) when it runs out.
   */
  async close(): Promise<void> {
    const socket = this.#socket
    if (!socket || socket.destroyed) return
    this.#ending = true
    this.flush()
    await this.whenIdle()
    this.#drop(socket, new Error('the publish connection was closed'))
  }

  /**
   * Resolves once every reply awaited now is in (or the connection is gone). It resolves on a
   * microtask, after the reply's own handling, so a publish a refusal sends elsewhere (a
   * cluster's MOVED) has been sent by then.
   */
  whenIdle(): Promise<void> {
    if (this.#waiting.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #wakeIdle(): void {
    if (this.#idleWaiters.length === 0) return // the common case, once per burst of replies
    for (const wake of this.#idleWaiters.splice(0)) wake()
  }

  /** Cuts the connection now: what is in flight is rejected. */
  destroy(): void {
    this.#ending = true
    const socket = this.#socket
    if (socket) this.#drop(socket, new Error('the publish connection was closed'))
  }

  readonly #onTick = (): void => {
    this.#scheduled = false
    this.flush()
  }

  #settle(reply: SimpleReply): void {
    const handshake = this.#handshakeReplies.shift()
    if (handshake) {
      handshake(reply)
      return
    }
    const receipt = this.#waiting.shift()
    const channel = this.#channels.shift()
    const payload = this.#onRefused ? this.#payloads.shift() : undefined
    if (!receipt || channel === undefined) return
    this.#base += 1
    if (this.#waiting.length === 0) this.#wakeIdle()
    if (channel === PING_MARK) {
      if (reply === 'PONG') receipt.published(0)
      else receipt.publishFailed(new Error(`unexpected reply to PING: ${String(reply)}`))
      return
    }
    if (typeof reply === 'number') {
      this.#tell(receipt, reply, channel, false)
    } else if (typeof reply === 'string') {
      // Replies no longer pair with commands: whether this one went out is unknown, so it may have.
      this.#tell(receipt, new Error(`unexpected reply ${reply}`), channel, true)
    } else if (payload === undefined || !this.#onRefused?.(reply, channel, payload, receipt)) {
      // An error reply means Redis refused this PUBLISH: it was not delivered.
      this.#tell(receipt, reply, channel, false)
    }
  }

  /**
   * Tells a receipt how its PUBLISH ended. A receipt must not throw; one that does anyway is
   * rethrown on a turn of its own, so that the replies after it are still read and every other
   * receipt is still told.
   */
  #tell(
    receipt: PublishReceipt,
    outcome: number | Error,
    channel: ChannelName,
    maybeDelivered: boolean,
  ): void {
    try {
      if (typeof outcome === 'number') receipt.published(outcome)
      else receipt.publishFailed(this.#wrapError(outcome, channel, maybeDelivered))
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }

  /** Forgets `socket` (if it is still the current one) and rejects everything it owed. */
  #drop(socket: Socket, cause: Error): void {
    if (this.#socket !== socket) return
    this.#socket = undefined
    const wasReady = this.#ready
    this.#ready = false
    socket.destroy()
    this.#writer.take()
    this.#held.clear()
    this.#heldEnds.clear()
    this.#writing = false
    const first = this.#base
    const owed = this.#waiting.drain()
    const channels = this.#channels.drain()
    this.#payloads.clear()
    const handshake = this.#handshakeReplies
    this.#base += owed.length
    this.#handshakeReplies = []
    for (const settle of handshake) settle(cause)
    for (let i = 0; i < owed.length; i++) {
      const receipt = owed[i]
      const channel = channels[i]
      if (!receipt || channel === undefined) continue
      if (channel === PING_MARK) receipt.publishFailed(cause)
      else this.#tell(receipt, cause, channel, first + i < this.#sentEnd)
    }
    this.#wakeIdle()
    if (wasReady && !this.#ending) this.emit('terminated', cause)
  }
}
