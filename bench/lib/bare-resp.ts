import { connect, type Socket } from 'node:net'

/**
 * A reference, not a client: PUBLISH and SUBSCRIBE hand-written in RESP on a bare socket, with a
 * whole wave of commands built into one buffer and one write, and a subscriber parser that knows
 * nothing but `message` pushes. It has no reconnection, no errors to speak of and no options;
 * it shows how much of a client's cost is the client library's own.
 */

const CRLF = 0x0a

async function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port || 6379), hostname || '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return socket
}

export class BarePublisher {
  readonly #socket: Socket
  readonly #header: Buffer
  /** Replies each wave still waits for, and what to call when they are in; in wave order. */
  readonly #waiting: Array<{ left: number; done: () => void }> = []

  private constructor(socket: Socket, channel: string) {
    this.#socket = socket
    const name = Buffer.from(channel)
    this.#header = Buffer.from(`*3\r\n$7\r\nPUBLISH\r\n$${name.length}\r\n${channel}\r\n`)
    socket.on('data', (chunk: Buffer) => {
      // Every PUBLISH reply is one line (`:N\r\n`), so counting line ends counts replies.
      let lines = 0
      for (let at = chunk.indexOf(CRLF); at !== -1; at = chunk.indexOf(CRLF, at + 1)) lines++
      while (lines > 0) {
        const wave = this.#waiting[0]
        if (!wave) break
        const taken = Math.min(lines, wave.left)
        wave.left -= taken
        lines -= taken
        if (wave.left === 0) {
          this.#waiting.shift()
          wave.done()
        }
      }
    })
  }

  static async open(url: string, channel: string): Promise<BarePublisher> {
    return new BarePublisher(await open(url), channel)
  }

  /** Publishes the payloads as one write of PUBLISH commands; resolves when all are answered. */
  publish(payloads: readonly Uint8Array[]): Promise<void> {
    let size = 0
    for (const p of payloads) size += this.#header.length + 16 + p.byteLength
    const out = Buffer.allocUnsafe(size)
    let at = 0
    for (const p of payloads) {
      at += this.#header.copy(out, at)
      at += out.write(`$${p.byteLength}\r\n`, at, 'latin1')
      out.set(p, at)
      at += p.byteLength
      out[at++] = 0x0d
      out[at++] = CRLF
    }
    return new Promise((resolve) => {
      this.#waiting.push({ left: payloads.length, done: resolve })
      this.#socket.write(out.subarray(0, at))
    })
  }

  close(): void {
    this.#socket.destroy()
  }
}

/** Subscribes to one channel and hands each message's payload to `onMessage`. */
export async function bareSubscribe(
  url: string,
  channel: string,
  onMessage: (payload: Buffer) => void,
): Promise<() => void> {
  const socket = await open(url)
  let pending: Buffer | undefined
  let subscribed!: () => void
  const confirmed = new Promise<void>((resolve) => {
    subscribed = resolve
  })
  socket.on('data', (chunk: Buffer) => {
    const data = pending ? Buffer.concat([pending, chunk]) : chunk
    let at = 0
    for (;;) {
      const end = parsePush(data, at, onMessage, subscribed)
      if (end < 0) break
      at = end
    }
    pending = at < data.length ? data.subarray(at) : undefined
  })
  socket.write(`SUBSCRIBE ${channel}\r\n`)
  await confirmed
  return () => socket.destroy()
}

/** Reads one integer line at `at` (after its type byte); returns [value, next] or undefined. */
function readLine(data: Buffer, at: number): [number, number] | undefined {
  const end = data.indexOf(CRLF, at)
  if (end < 0) return undefined
  let value = 0
  for (let i = at; i < end - 1; i++) value = value * 10 + (data[i] as number) - 48
  return [value, end + 1]
}

/** Parses one push (`*3` of bulk strings) from `at`; returns where it ends, or -1 if incomplete. */
function parsePush(
  data: Buffer,
  at: number,
  onMessage: (payload: Buffer) => void,
  onSubscribed: () => void,
): number {
  if (at >= data.length) return -1
  const count = readLine(data, at + 1)
  if (!count) return -1
  let next = count[1]
  const items: Array<Buffer | number> = []
  for (let i = 0; i < count[0]; i++) {
    if (next >= data.length) return -1
    const type = data[next]
    const line = readLine(data, next + 1)
    if (!line) return -1
    if (type === 0x3a) {
      items.push(line[0])
      next = line[1]
      continue
    }
    const start = line[1]
    const stop = start + line[0]
    if (stop + 2 > data.length) return -1
    items.push(data.subarray(start, stop))
    next = stop + 2
  }
  const kind = items[0]
  if (Buffer.isBuffer(kind) && kind.length === 7 && kind[0] === 0x6d) onMessage(items[2] as Buffer)
  else onSubscribed()
  return next
}
