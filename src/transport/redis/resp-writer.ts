/**
 * RESP written by switchboard itself, without I/O: whole commands for handshakes and
 * subscriptions, and PUBLISH commands gathered into one buffer per batch for the publish link.
 * The reading half is resp-reader.ts.
 */

import { boundedMemo } from '../../memo.js'
import type { ChannelName } from '../channel-key.js'
import { type Payload, payloadBytes } from '../transport.js'

const CR = 0x0d
const LF = 0x0a

/**
 * A command written whole, every argument a bulk string: `AUTH`, `CLIENT SETNAME`, `SUBSCRIBE`.
 * Text goes as UTF-8; bytes (a channel name that is not UTF-8) as they are.
 */
export function encodeCommand(args: readonly (string | Uint8Array)[]): Buffer {
  if (args.every((arg) => typeof arg === 'string')) {
    const parts = [`*${args.length}\r\n`]
    for (const arg of args) parts.push(`$${Buffer.byteLength(arg, 'utf8')}\r\n${arg}\r\n`)
    return Buffer.from(parts.join(''), 'utf8')
  }
  const parts: Uint8Array[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')]
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'))
  }
  return Buffer.concat(parts)
}

/** The publish commands: PUBLISH, and SPUBLISH for the shard channels of Redis Cluster. */
export type PublishCommand = 'PUBLISH' | 'SPUBLISH'

/** `*3\r\n$7\r\nPUBLISH\r\n$<n>\r\n<channel>\r\n$` for a channel given as its bytes. */
function prefixOfBytes(command: PublishCommand, name: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from(`*3\r\n$${command.length}\r\n${command}\r\n$${name.length}\r\n`, 'latin1'),
    name,
    Buffer.from('\r\n$', 'latin1'),
  ])
}

/** The prefix of a channel given as text, kept per name and command: most publishes go to a few channels. */
const PREFIXES: Record<PublishCommand, (channel: string) => Buffer> = {
  PUBLISH: boundedMemo((channel) => prefixOfBytes('PUBLISH', Buffer.from(channel, 'utf8'))),
  SPUBLISH: boundedMemo((channel) => prefixOfBytes('SPUBLISH', Buffer.from(channel, 'utf8'))),
}

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
  readonly #command: PublishCommand
  readonly #prefixOf: (channel: string) => Buffer
  #prefixes: Buffer[] = []
  #payloads: Payload[] = []
  #lengths: number[] = []
  #size = 0

  constructor(command: PublishCommand = 'PUBLISH') {
    this.#command = command
    this.#prefixOf = PREFIXES[command]
  }

  /** Commands gathered and not yet taken. */
  get count(): number {
    return this.#payloads.length
  }

  /** Bytes the gathered commands take. */
  get size(): number {
    return this.#size
  }

  /**
   * Gathers a command; a Uint8Array payload is read when taken, so it must not change until then.
   * A channel given as bytes (a name that is not UTF-8) is copied at once.
   */
  add(channel: ChannelName, payload: Payload): void {
    const prefix =
      typeof channel === 'string' ? this.#prefixOf(channel) : prefixOfBytes(this.#command, channel)
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
