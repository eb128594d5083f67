import type { Socket } from 'node:net'
import { BoundedQueue, UNBOUNDED } from '../../queue/bounded-queue.js'
import type { Payload, PublishReceipt } from '../transport.js'
import type { RedisUrl } from '../url.js'
import { handshakeCommands, openSocket } from './own-socket.js'
import {
  encodeCommand,
  PublishWriter,
  ReplyError,
  type SimpleReply,
  SimpleReplyReader,
} from './publish-protocol.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'

/** Bytes gathered before they are written without waiting for the end of the tick. */
const FLUSH_BYTES = 256 * 1024

type Settle = (reply: SimpleReply | Error) => void

/** Turns what went wrong with a PUBLISH to `channel` into the error its receipt gets. */
export type PublishErrorWrapper = (error: unknown, channel: string) => unknown

/**
 * The state of the publish connection. `off`: it will not open again, because the server refused
 * its handshake (a retry would not change that) or because it was closed for good.
 */
export type PublishConnectionState = 'closed' | 'opening' | 'open' | 'off'

/**
 * A connection that carries nothing but PUBLISH, written as RESP by switchboard itself: every
 * publish made in one tick goes out in one buffer and one socket write (after the promise
 * continuations of that tick have run, so that publishes they make join it). node-redis spends
 * three socket chunks, a command object, an options object and a reply parse per command; for
 * PUBLISH, which is most of what a messaging client sends, that is most of the cost.
 *
 * It is a shadow of the command connection, which stays the one whose state the transport
 * reports: it opens to the address that connection uses once that one is up, and is cut when that
 * one drops. While it is not open, the transport publishes through node-redis.
 */
export class PublishConnection {
  readonly #options: ResolvedRedisTransportOptions
  #socket: Socket | undefined
  #state: PublishConnectionState = 'closed'
  #writer = new PublishWriter()
  /** The handshake's replies come first, before any PUBLISH is written. */
  #handshake: Settle[] = []
  /**
   * The receipt, and the channel, of each PUBLISH in flight, in the order they were written.
   * Unbounded here: each entry is a publish() whose promise the application holds and has not
   * seen settle, so they are bounded by what the application leaves in flight.
   */
  readonly #waiting = new BoundedQueue<PublishReceipt>(UNBOUNDED)
  readonly #channels = new BoundedQueue<string>(UNBOUNDED)
  #scheduled = false
  /** Set while commands sent before this connection took over are unanswered: writes wait. */
  #holding = false
  #onIdle: (() => void) | undefined

  readonly #onDropped: () => void
  readonly #wrapError: PublishErrorWrapper

  /**
   * `onDropped` hears of a connection lost while the transport may want it back; `wrapError`
   * makes the error a failed PUBLISH reports.
   */
  constructor(options: ResolvedRedisTransportOptions, onDropped: () => void, wrapError: PublishErrorWrapper) {
    this.#options = options
    this.#onDropped = onDropped
    this.#wrapError = wrapError
  }

  get state(): PublishConnectionState {
    return this.#state
  }

  /** True when publish() may be called. */
  get isOpen(): boolean {
    return this.#state === 'open'
  }

  /** Replies still awaited. */
  get pending(): number {
    return this.#waiting.length
  }

  /**
   * Opens the connection to `target` and runs the handshake (AUTH, CLIENT SETNAME). Resolves
   * whatever happens: on failure the connection stays closed, or `off` when the server said no
   * to the handshake.
   */
  async open(target: RedisUrl): Promise<void> {
    if (this.#state !== 'closed') return
    this.#state = 'opening'
    const socket = openSocket(target, this.#options)
    this.#socket = socket
    const reader = new SimpleReplyReader((reply) => this.#settle(reply))
    socket.on('data', (chunk: Buffer) => {
      if (!reader.feed(chunk)) this.#drop(socket, new Error('unexpected reply on the publish connection'))
    })
    socket.on('error', (error: Error) => this.#drop(socket, error))
    socket.on('close', () => this.#drop(socket, new Error('the publish connection closed')))
    const timer = setTimeout(
      () => this.#drop(socket, new Error(`connect timed out after ${this.#options.connectTimeoutMs} ms`)),
      this.#options.connectTimeoutMs,
    )
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once(target.tls ? 'secureConnect' : 'connect', resolve)
        socket.once('close', () => reject(new Error('the publish connection closed while opening')))
      })
      const replies = handshakeCommands(target, this.#options, 'pub').map((args) => {
        socket.write(encodeCommand(args))
        return new Promise<SimpleReply | Error>((resolve) => this.#handshake.push(resolve))
      })
      for (const reply of await Promise.all(replies)) {
        if (reply instanceof ReplyError) {
          this.#state = 'off'
          socket.destroy()
          return
        }
        if (reply instanceof Error) throw reply
      }
      if (this.#socket === socket && this.#state === 'opening') this.#state = 'open'
    } catch {
      this.#drop(socket, new Error('the publish connection could not be opened'))
    } finally {
      clearTimeout(timer)
    }
  }

  /** Queues one PUBLISH; `receipt` hears how it ended, on a later turn. Only while open (see isOpen). */
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

  /** Writes what is gathered now (unless writes are held). */
  flush(): void {
    if (this.#holding) return
    const bytes = this.#writer.take()
    if (bytes) this.#socket?.write(bytes)
  }

  /**
   * Holds writes back until release(): what is published meanwhile is gathered, in order, and
   * written then. For publishes that another connection still has in flight, so that none of
   * these overtakes them.
   */
  hold(): void {
    this.#holding = true
  }

  release(): void {
    if (!this.#holding) return
    this.#holding = false
    this.flush()
  }

  /**
   * Writes what is gathered, waits up to `timeoutMs` for the replies in flight, then cuts the
   * connection; what is still unanswered then is rejected. The connection stays closed.
   */
  async close(timeoutMs: number): Promise<void> {
    const socket = this.#socket
    if (this.#state === 'open') {
      this.release()
      this.flush()
      if (this.pending > 0) {
        let timer: NodeJS.Timeout | undefined
        await new Promise<void>((resolve) => {
          this.#onIdle = resolve
          timer = setTimeout(resolve, timeoutMs)
        })
        clearTimeout(timer)
        this.#onIdle = undefined
      }
    }
    this.#state = 'off'
    if (socket) this.#drop(socket, new Error('the publish connection was closed'))
    socket?.destroy()
  }

  /** Cuts the connection now (the command connection dropped): what is in flight is rejected. */
  destroy(cause: Error): void {
    const socket = this.#socket
    if (socket) this.#drop(socket, cause)
  }

  readonly #onTick = (): void => {
    this.#scheduled = false
    this.flush()
  }

  #settle(reply: SimpleReply): void {
    const handshake = this.#handshake.shift()
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
    const wasOpen = this.#state === 'open'
    if (this.#state !== 'off') this.#state = 'closed'
    socket.destroy()
    this.#writer.take()
    this.#holding = false
    const owed = this.#waiting.drain()
    const channels = this.#channels.drain()
    const handshake = this.#handshake
    this.#handshake = []
    for (const settle of handshake) settle(cause)
    for (let i = 0; i < owed.length; i++) {
      const receipt = owed[i]
      if (receipt) this.#tell(receipt, cause, channels[i] as string)
    }
    this.#onIdle?.()
    if (wasOpen && this.#state === 'closed') this.#onDropped()
  }
}
