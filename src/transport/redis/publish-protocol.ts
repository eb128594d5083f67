/**
 * The RESP of the publish connection, without I/O: PUBLISH commands written into one buffer per
 * batch, and the replies PUBLISH and the handshake get (integers, simple strings, errors) read
 * back. Nothing else travels on that connection, so nothing else needs reading.
 */

import { boundedMemo } from '../../memo.js'
import { type Payload, payloadBytes } from '../transport.js'

const CR = 0x0d
const LF = 0x0a
const COLON = 0x3a
const PLUS = 0x2b
const MINUS = 0x2d

/** `*3\r\n$7\r\nPUBLISH\r\n$<n>\r\n<channel>\r\n$`, kept per channel name. */
const prefixOf = boundedMemo((channel) => {
  const name = Buffer.from(channel, 'utf8')
  return Buffer.concat([
    Buffer.from(`*3\r\n$7\r\nPUBLISH\r\n$${name.length}\r\n`, 'latin1'),
    name,
    Buffer.from('\r\n$', 'latin1'),
  ])
})

function digits(n: number): number {
  let count = 1
  while (n >= 10) {
    n = Math.floor(n / 10)
    count++
  }
  return count
}

/** Writes a non-negative integer in decimal at `at`; returns where it ends. Buffer#write parses its arguments at a cost per call. */
function writeDecimal(out: Buffer, at: number, n: number): number {
  const end = at + digits(n)
  for (let i = end - 1; i >= at; i--) {
    out[i] = 48 + (n % 10)
    n = Math.floor(n / 10)
  }
  return end
}

/**
 * Gathers PUBLISH commands and writes them all into one buffer: one socket write for a whole
 * batch, where node-redis writes three chunks per command.
 */
export class PublishWriter {
  #prefixes: Buffer[] = []
  #payloads: Payload[] = []
  #lengths: number[] = []
  #size = 0

  /** Commands gathered and not yet taken. */
  get count(): number {
    return this.#payloads.length
  }

  /** Bytes the gathered commands take. */
  get size(): number {
    return this.#size
  }

  /** Gathers a command; a Uint8Array payload is read when taken, so it must not change until then. */
  add(channel: string, payload: Payload): void {
    const prefix = prefixOf(channel)
    const length = payloadBytes(payload)
    this.#prefixes.push(prefix)
    this.#payloads.push(payload)
    this.#lengths.push(length)
    this.#size += prefix.length + digits(length) + length + 4
  }

  /** The gathered commands as one buffer, and a fresh start; undefined when there are none. */
  take(): Buffer | undefined {
    const count = this.#payloads.length
    if (count === 0) return undefined
    const out = Buffer.allocUnsafe(this.#size)
    let at = 0
    for (let i = 0; i < count; i++) {
      const prefix = this.#prefixes[i] as Buffer
      const payload = this.#payloads[i] as Payload
      const length = this.#lengths[i] as number
      at += prefix.copy(out, at)
      at = writeDecimal(out, at, length)
      out[at++] = CR
      out[at++] = LF
      // Text is encoded straight into the batch: no buffer of its own, made only to be copied.
      if (typeof payload === 'string') out.write(payload, at, length, 'utf8')
      else out.set(payload, at)
      at += length
      out[at++] = CR
      out[at++] = LF
    }
    this.#prefixes = []
    this.#payloads = []
    this.#lengths = []
    this.#size = 0
    return out
  }
}

/** A command written whole, for the handshake: `AUTH`, `CLIENT SETNAME`. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`]
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg, 'utf8')}\r\n${arg}\r\n`)
  return Buffer.from(parts.join(''), 'utf8')
}

/** A reply the publish connection can get: an integer, a simple string, or an error's text. */
export type SimpleReply = number | string | ReplyError

/** An error reply from Redis, such as `NOPERM ...` or `ERR ...`. */
export class ReplyError extends Error {
  override readonly name = 'ReplyError'
}

/**
 * Reads replies from the bytes the server sends, across chunk boundaries. `feed` calls `onReply`
 * for each complete reply and returns false if a reply of another type arrives, after which the
 * connection cannot be trusted to pair replies with commands.
 */
export class SimpleReplyReader {
  readonly #onReply: (reply: SimpleReply) => void
  #rest: Buffer | undefined

  constructor(onReply: (reply: SimpleReply) => void) {
    this.#onReply = onReply
  }

  feed(chunk: Buffer): boolean {
    const data = this.#rest ? Buffer.concat([this.#rest, chunk]) : chunk
    this.#rest = undefined
    const length = data.length
    let at = 0
    while (at < length) {
      const type = data[at]
      if (type === COLON) {
        // The hot path: PUBLISH's `:<receivers>\r\n`, read without making a string.
        let value = 0
        let i = at + 1
        let negative = false
        if (data[i] === MINUS) {
          negative = true
          i++
        }
        for (; i < length; i++) {
          const c = data[i] as number
          if (c === CR) break
          value = value * 10 + (c - 48)
        }
        if (i + 1 >= length) break
        at = i + 2
        this.#onReply(negative ? -value : value)
        continue
      }
      if (type !== PLUS && type !== MINUS) return false
      const end = data.indexOf(LF, at)
      if (end === -1) break
      const text = data.toString('utf8', at + 1, end - 1)
      at = end + 1
      this.#onReply(type === PLUS ? text : new ReplyError(text))
    }
    if (at < length) this.#rest = data.subarray(at)
    return true
  }
}
