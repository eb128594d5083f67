import { connect, type Socket } from 'node:net'
import { keyOfBytes } from '../../src/transport/channel-key.js'
import { RespReader, type RespValue } from '../../src/transport/redis/resp-reader.js'
import { encodeCommand } from '../../src/transport/redis/resp-writer.js'
import { Inbox } from '../contract/inbox.js'
import { withTimeout } from './wait.js'

/**
 * A bare RESP2 connection, to see what Redis itself does, with no client library or transport
 * in between: every `message` and `pmessage` the server sends lands in `inbox`, unfiltered.
 * Send one name per (P)SUBSCRIBE or (P)UNSUBSCRIBE: each command then has one confirmation,
 * which answers it in order. Use a connection either to subscribe or for other commands (as
 * RESP2 requires), so that a reply such as PUBSUB CHANNELS is never taken for a message.
 * Arguments may be bytes (a channel name that is not UTF-8, as redis-py sends b'\x80'); the inbox
 * names channels and patterns by their keys (channel-key.ts), exact whatever their bytes.
 */
export class RawRedis {
  readonly inbox = new Inbox()
  readonly #socket: Socket
  readonly #waiting: Array<(value: RespValue) => void> = []
  #subscriber = false

  private constructor(socket: Socket) {
    this.#socket = socket
    const reader = new RespReader((value) => this.#onValue(value))
    socket.on('data', (chunk: Buffer) => reader.feed(chunk))
  }

  static async open(port: number): Promise<RawRedis> {
    const socket = connect(port, '127.0.0.1')
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('error', reject)
      }),
      `a connection to port ${port}`,
    )
    return new RawRedis(socket)
  }

  command(...args: Array<string | Uint8Array>): Promise<RespValue> {
    const name = String(args[0] ?? '')
    if (/^P?SUBSCRIBE$/i.test(name)) this.#subscriber = true
    const reply = new Promise<RespValue>((resolve) => this.#waiting.push(resolve))
    this.#socket.write(encodeCommand(args))
    return withTimeout(reply, `the reply to ${name}`)
  }

  close(): void {
    this.#socket.destroy()
  }

  #onValue(value: RespValue): void {
    if (this.#subscriber && Array.isArray(value)) {
      const [kind, ...rest] = value.map((part) => (Buffer.isBuffer(part) ? part : Buffer.alloc(0)))
      const type = kind?.toString()
      const [first, second, third] = rest as [Buffer, Buffer, Buffer]
      if (type === 'message') {
        this.inbox.sink(keyOfBytes(first), second, undefined)
        return
      }
      if (type === 'pmessage') {
        this.inbox.sink(keyOfBytes(second), third, keyOfBytes(first))
        return
      }
    }
    this.#waiting.shift()?.(value)
  }
}
