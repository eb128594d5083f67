/**
 * The RESP of the publish connection, without I/O: PUBLISH commands written into one buffer per
 * batch, and the replies PUBLISH and the handshake get (integers, simple strings, errors) read
 * back. Nothing else travels on that connection, so nothing else needs reading.
 */

import { boundedMemo } from '../../memo.js'
import { type Payload, payloadBytes } from '../transport.js'
import { ReplyError, RespReader } from './resp-reader.js'

export { ReplyError }

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

/**
 * Reads the replies of the publish connection, across chunk boundaries: a RespReader that takes
 * integers, simple strings and errors only. `feed` calls `onReply` for each complete reply and
 * returns false if a reply of another type arrives, after which the connection cannot be trusted
 * to pair replies with commands.
 */
export class SimpleReplyReader {
  readonly #reader: RespReader

  constructor(onReply: (reply: SimpleReply) => void) {
    this.#reader = new RespReader((value) => onReply(value as SimpleReply), {
      accepts: (type) => type === COLON || type === PLUS || type === MINUS,
    })
  }

  feed(chunk: Buffer): boolean {
    try {
      this.#reader.feed(chunk)
      return true
    } catch {
      return false
    }
  }
}
