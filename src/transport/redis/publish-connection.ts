import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { BoundedQueue, UNBOUNDED } from '../../queue/bounded-queue.js'
import type { Payload, PublishReceipt } from '../transport.js'
import type { RedisUrl } from '../url.js'
import { handshakeCommands, openSocket } from './own-socket.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import { type SimpleReply, SimpleReplyReader } from './resp-reader.js'
import { encodeCommand, PublishWriter } from './resp-writer.js'

/** Bytes gathered before they are written without waiting for the end of the tick. */
const FLUSH_BYTES = 256 * 1024

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
 * ManagedConnection replaces it after 'terminated', and what was in flight on a connection that
 * drops is rejected.
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
  /**
   * The receipt, and the channel, of each PUBLISH in flight, in the order they were written.
   * Unbounded here: each entry is a publish() whose promise the application holds and has not
   * seen settle, so they are bounded by what the application leaves in flight.
   */
  readonly #waiting = new BoundedQueue<PublishReceipt>(UNBOUNDED)
  readonly #channels = new BoundedQueue<string>(UNBOUNDED)
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
    return this.#waiting.length
  }

  /**
   * Opens the connection and runs the handshake (AUTH, CLIENT SETNAME), within connectTimeoutMs
   * for the whole; rejects on failure, with the server's reason when it refused the handshake.
   */
  async connect(): Promise<void> {
    const socket = openSocket(this.#target, this.#options)
    this.#socket = socket
    const reader = new SimpleReplyReader((reply) => this.#settle(reply))
    socket.on('data', (chunk: Buffer) => {
      if (!reader.feed(chunk)) this.#drop(socket, new Error('unexpected reply on the publish connection'))
    })
    socket.on('error', (error: Error) => this.#drop(socket, error))
    socket.on('close', () => this.#drop(socket, new Error('the publish connection closed')))
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      const ms = this.#options.connectTimeoutMs
      timer = setTimeout(() => reject(new Error(`connect timed out after ${ms} ms`)), ms)
    })
    try {
      const opened = this.#handshake(socket)
      // Past the deadline, what it settles to no longer matters.
      opened.catch(() => undefined)
      await Promise.race([opened, deadline])
      if (this.#socket !== socket || this.#ending)
        throw new Error('the publish connection closed while opening')
      this.#ready = true
    } catch (error) {
      this.destroy()
      throw error
    } finally {
      clearTimeout(timer)
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

  /** Writes what is gathered now. */
  flush(): void {
    const bytes = this.#writer.take()
    if (bytes) this.#socket?.write(bytes)
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
    const receipt = this.#waiting.shift()
    const channel = this.#channels.shift() as string
    if (!receipt) return
    if (this.#waiting.length === 0) this.#onIdle?.()
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
    const owed = this.#waiting.drain()
    const channels = this.#channels.drain()
    const handshake = this.#handshakeReplies
    this.#handshakeReplies = []
    for (const settle of handshake) settle(cause)
    for (let i = 0; i < owed.length; i++) {
      const receipt = owed[i]
      if (receipt) this.#tell(receipt, cause, channels[i] as string)
    }
    this.#onIdle?.()
    if (wasReady && !this.#ending) this.emit('terminated', cause)
  }
}
