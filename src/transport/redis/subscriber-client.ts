import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { RedisUrl } from '../url.js'
import { handshakeCommands, openSocket } from './own-socket.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import { ReplyError, RespReader, type RespValue } from './resp-reader.js'
import { encodeCommand } from './resp-writer.js'

/** Where a message goes: `pattern` is set for a pmessage. */
export type SubscriberSink = (channel: string, payload: Buffer, pattern: string | undefined) => void

type SubscribeKind = 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe'

/** A command waiting for its reply: a plain one takes the next reply; a (un)subscribe, its confirmations. */
interface Waiting {
  readonly kind: SubscribeKind | 'plain'
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
 * what a subscriber needs: the handshake (AUTH, CLIENT SETNAME), ROLE (Sentinel's check), and
 * SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE and PUNSUBSCRIBE, each resolved once Redis confirmed every
 * name. It never reconnects by itself: ManagedConnection replaces it, as it does node-redis
 * clients, after 'terminated'.
 *
 * Events: 'error' (the socket failed while ready) and 'terminated' (the connection ended without
 * close() or destroy()), with the cause.
 */
export class SubscriberClient extends EventEmitter {
  readonly #target: RedisUrl
  readonly #options: ResolvedRedisTransportOptions
  readonly #reader: RespReader
  readonly #waiting: Waiting[] = []
  /** What Redis has confirmed: the names this connection is subscribed to now. */
  readonly #channels = new Set<string>()
  readonly #patterns = new Set<string>()
  #socket: Socket | undefined
  #ready = false
  /** Set by close() and destroy(): the end that follows is ours, not news. */
  #ending = false

  constructor(target: RedisUrl, options: ResolvedRedisTransportOptions, sink: SubscriberSink) {
    super()
    this.#target = target
    this.#options = options
    this.#reader = new RespReader((value) => this.#onReply(value), { onPush: sink })
  }

  get isOpen(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed
  }

  get isReady(): boolean {
    return this.#ready && this.isOpen
  }

  /** Channels Redis confirmed. */
  channels(): string[] {
    return [...this.#channels]
  }

  /** Patterns Redis confirmed. */
  patterns(): string[] {
    return [...this.#patterns]
  }

  /** Opens the socket and runs the handshake; rejects (and cleans up) on failure or timeout. */
  async connect(): Promise<void> {
    const target = this.#target
    const socket = openSocket(target, this.#options)
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => {
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
    let timer: NodeJS.Timeout | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`connect timed out after ${this.#options.connectTimeoutMs} ms`)),
          this.#options.connectTimeoutMs,
        )
        socket.once(target.tls ? 'secureConnect' : 'connect', resolve)
        socket.once('error', reject)
        socket.once('close', () => reject(new Error('the connection closed while opening')))
      })
      await Promise.all(handshakeCommands(target, this.#options, 'sub').map((args) => this.sendCommand(args)))
      this.#ready = true
    } catch (error) {
      this.destroy()
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** A plain command, before subscribing: Sentinel's ROLE. */
  sendCommand<T = unknown>(args: readonly string[]): Promise<T> {
    return this.#send('plain', args, 1) as Promise<T>
  }

  subscribe(channels: readonly string[]): Promise<void> {
    return this.#send('subscribe', ['SUBSCRIBE', ...channels], channels.length)
  }

  psubscribe(patterns: readonly string[]): Promise<void> {
    return this.#send('psubscribe', ['PSUBSCRIBE', ...patterns], patterns.length)
  }

  unsubscribe(channels: readonly string[]): Promise<void> {
    return this.#send('unsubscribe', ['UNSUBSCRIBE', ...channels], channels.length)
  }

  punsubscribe(patterns: readonly string[]): Promise<void> {
    return this.#send('punsubscribe', ['PUNSUBSCRIBE', ...patterns], patterns.length)
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

  #send(kind: Waiting['kind'], args: readonly string[], replies: number): Promise<never> {
    const socket = this.#socket
    if (!socket || socket.destroyed || this.#ending) {
      return Promise.reject(new Error('the subscriber connection is closed'))
    }
    if (replies === 0) return Promise.resolve() as Promise<never>
    let waiting!: Waiting
    const reply = new Promise<never>((resolve, reject) => {
      waiting = { kind, remaining: replies, resolve, reject, settled: Promise.resolve() }
    })
    waiting.settled = reply.catch(() => undefined)
    this.#waiting.push(waiting)
    socket.write(encodeCommand(args))
    return reply
  }

  #onReply(value: RespValue): void {
    if (Array.isArray(value)) {
      const type = value[0]
      // Messages never get here: the reader hands them to the sink on its fast path.
      if (type instanceof Buffer) {
        const head = this.#waiting[0]
        const kind = type.toString()
        if (head?.kind === kind) {
          this.#confirm(kind as SubscribeKind, String(value[1]))
          if (--head.remaining === 0) {
            this.#waiting.shift()
            head.resolve(undefined)
          }
          return
        }
        if (head?.kind !== 'plain') return
      }
    }
    const head = this.#waiting.shift()
    if (!head) return
    if (value instanceof ReplyError) head.reject(value)
    else head.resolve(value)
  }

  #confirm(kind: SubscribeKind, name: string): void {
    if (kind === 'subscribe') this.#channels.add(name)
    else if (kind === 'psubscribe') this.#patterns.add(name)
    else if (kind === 'unsubscribe') this.#channels.delete(name)
    else this.#patterns.delete(name)
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
