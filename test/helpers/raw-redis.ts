import { connect, type Socket } from 'node:net'
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

  command(...args: string[]): Promise<RespValue> {
    if (/^P?SUBSCRIBE$/i.test(args[0] ?? '')) this.#subscriber = true
    const reply = new Promise<RespValue>((resolve) => this.#waiting.push(resolve))
    this.#socket.write(encodeCommand(args))
    return withTimeout(reply, `the reply to ${args[0]}`)
  }

  close(): void {
    this.#socket.destroy()
  }

  #onValue(value: RespValue): void {
    if (this.#subscriber && Array.isArray(value)) {
      const [kind, ...rest] = value.map((part) => (Buffer.isBuffer(part) ? part : Buffer.alloc(0)))
      const type = kind?.toString()
      if (type === 'message') {
        this.inbox.sink(String(rest[0]), rest[1] as Buffer, undefined)
        return
      }
      if (type === 'pmessage') {
        this.inbox.sink(String(rest[1]), rest[2] as Buffer, String(rest[0]))
        return
      }
    }
    this.#waiting.shift()?.(value)
  }
}
