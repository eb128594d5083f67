import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { Payload, PublishReceipt } from '../transport.js'
import type { RedisUrl } from '../url.js'
import { handshakeCommands, openSocket } from './own-socket.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import { type SimpleReply, SimpleReplyReader } from './resp-reader.js'
import { encodeCommand, PublishWriter } from './resp-writer.js'

/** Bytes gathered before they are written without waiting for the end of the tick. */
const FLUSH_BYTES = 256 * 1024

const PING = encodeCommand(['PING'])
/** Stands in the channel list for a PING, whose receipt is the probe's. */
const PING_MARK = Symbol('PING')

type Settle = (reply: SimpleReply | Error) => void

/** Turns what went wrong with a PUBLISH to `channel` into the error its receipt gets. */
export type PublishErrorWrapper = (error: unknown, channel: string) => unknown

/**
 * A connection that carries nothing but PUBLISH, written as RESP by switchboard itself: every
 * publish made in one tick goes out in one buffer and one socket write (after the promise
 * continuations of that tick have run, so that publishes they make join it). node-redis spends
 * three socket chunks, a command object, an options object and a reply parse per command; for
 * PUBLISH, which is most of what a messaging client sends, that is most of the cost.
 *
 * It is the one path of every publish. Like the subscriber client it never reconnects by itself:
 * ManagedConnection replaces it after 'terminated' (and bounds connect() by connectTimeoutMs),
 * and what was in flight on a connection that drops is rejected. A PING (ping()) takes its turn among the publishes: its
 * answer proves the whole path still works.
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
  #writer = new PublishWriter()
  /** The handshake's replies come first, before any PUBLISH is written. */
  #handshakeReplies: Settle[] = []
  /** The receipt, and the channel, of each PUBLISH (or PING) in flight, in the order they were written. */
  #waiting: Array<PublishReceipt | undefined> = []
  #channels: Array<string | typeof PING_MARK | undefined> = []
  #head = 0
  /** Chunks read so far: anything arriving proves the server is there (see liveness-probe.ts). */
  #heard = 0
  #scheduled = false
  #onIdle: (() => void) | undefined

  /** `wrapError` makes the error a failed PUBLISH reports. */
  constructor(target: RedisUrl, options: ResolvedRedisTransportOptions, wrapError: PublishErrorWrapper) {
    super()
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
    return this.#waiting.length - this.#head
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
  publish(channel: string, payload: Payload, receipt: PublishReceipt): void {
    this.#writer.add(channel, payload)
    this.#waiting.push(receipt)
    this.#channels.push(channel)
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
    this.flush()
    const socket = this.#socket
    if (!socket || !this.#ready) return Promise.reject(new Error('the publish connection is not open'))
    return new Promise((resolve, reject) => {
      this.#waiting.push({ published: () => resolve(), publishFailed: reject })
      this.#channels.push(PING_MARK)
      this.#write(socket, PING)
    })
  }

  /** Writes what is gathered now. */
  flush(): void {
    const bytes = this.#writer.take()
    const socket = this.#socket
    if (bytes && socket) this.#write(socket, bytes)
  }

  #write(socket: Socket, bytes: Buffer): void {
    socket.write(bytes)
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
    if (this.pending > 0) {
      await new Promise<void>((resolve) => {
        this.#onIdle = resolve
      })
      this.#onIdle = undefined
    }
    this.#drop(socket, new Error('the publish connection was closed'))
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
    const head = this.#head
    const receipt = this.#waiting[head]
    const channel = this.#channels[head]
    if (!receipt || channel === undefined) return
    this.#waiting[head] = undefined
    this.#channels[head] = undefined
    this.#head = head + 1
    if (this.#head === this.#waiting.length) {
      this.#waiting = []
      this.#channels = []
      this.#head = 0
      this.#onIdle?.()
    } else if (this.#head > 4096 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head)
      this.#channels = this.#channels.slice(this.#head)
      this.#head = 0
    }
    if (channel === PING_MARK) {
      if (reply === 'PONG') receipt.published(0)
      else receipt.publishFailed(new Error(`unexpected reply to PING: ${String(reply)}`))
      return
    }
    this.#tell(receipt, typeof reply === 'string' ? new Error(`unexpected reply ${reply}`) : reply, channel)
  }

  /**
   * Tells a receipt how its PUBLISH ended. A receipt must not throw; one that does anyway is
   * rethrown on a turn of its own, so that the replies after it are still read and every other
   * receipt is still told.
   */
  #tell(receipt: PublishReceipt, outcome: number | Error, channel: string): void {
    try {
      if (typeof outcome === 'number') receipt.published(outcome)
      else receipt.publishFailed(this.#wrapError(outcome, channel))
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
    const owed = this.#waiting.slice(this.#head)
    const channels = this.#channels.slice(this.#head)
    const handshake = this.#handshakeReplies
    this.#waiting = []
    this.#channels = []
    this.#handshakeReplies = []
    this.#head = 0
    for (const settle of handshake) settle(cause)
    for (let i = 0; i < owed.length; i++) {
      const receipt = owed[i]
      const channel = channels[i]
      if (!receipt || channel === undefined) continue
      if (channel === PING_MARK) receipt.publishFailed(cause)
      else this.#tell(receipt, cause, channel)
    }
    this.#onIdle?.()
    if (wasReady && !this.#ending) this.emit('terminated', cause)
  }
}
