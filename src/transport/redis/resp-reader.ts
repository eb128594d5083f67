import { type ChannelKey, keyOfBytes } from '../channel-key.js'

/** An error reply from Redis, such as `NOPERM ...` or `ERR ...`. */
export class ReplyError extends Error {
  override readonly name = 'ReplyError'
}

/** A RESP2 value as the reader hands it over: bulk strings stay bytes. */
export type RespValue = string | number | Buffer | null | ReplyError | RespValue[]

const CR = 0x0d
const PLUS = 0x2b
const MINUS = 0x2d
const COLON = 0x3a
const DOLLAR = 0x24
const STAR = 0x2a

/** Marks a value that has not fully arrived yet. */
const INCOMPLETE = -1
/** The longest array JavaScript can make. */
const MAX_ARRAY = 2 ** 32 - 1

/**
 * Where the reader hands a pub/sub message it read on its fast path: `pattern` is set for a
 * `pmessage`; a shard channel's `smessage` comes as a channel's `message` does. Channel and
 * pattern are keys (channel-key.ts), exact whatever their bytes. The transport's MessageSink,
 * narrowed to the Buffer the reader makes (a view of its chunk, never copied).
 */
export type PushSink = (channel: ChannelKey, payload: Buffer, pattern: ChannelKey | undefined) => void

/**
 * The key of the name last read at one place of a push (the channel, or the pattern): most
 * messages come on the name the one before came on, so its bytes are compared rather than the
 * name read again every time.
 */
class LastName {
  #key: ChannelKey = ''
  #bytes: Buffer = Buffer.alloc(0)

  /** The key of the name in data[start, end). */
  read(data: Buffer, start: number, end: number): ChannelKey {
    const last = this.#bytes
    const length = end - start
    if (last.length === length) {
      let same = true
      for (let i = 0; i < length; i++) {
        if (data[start + i] !== last[i]) {
          same = false
          break
        }
      }
      if (same) return this.#key
    }
    this.#key = keyOfBytes(data, start, end)
    this.#bytes = Buffer.from(data.subarray(start, end))
    return this.#key
  }
}

/** How every message push begins: `message`, `pmessage` and `smessage`. */
const MESSAGE_HEAD = Buffer.from('*3\r\n$7\r\nmessage\r\n', 'latin1')
const PMESSAGE_HEAD = Buffer.from('*4\r\n$8\r\npmessage\r\n', 'latin1')
const SMESSAGE_HEAD = Buffer.from('*3\r\n$8\r\nsmessage\r\n', 'latin1')

/** What a reader may be told besides where replies go. */
export interface RespReaderOptions {
  /**
   * Gets every `message`, `pmessage` and `smessage` push, read on a fast path that makes no array and no
   * buffer but the payload's view; without it, they go to `onReply` like any array.
   */
  onPush?: PushSink
  /** Refuses a reply by the byte that gives its type: feed() throws on it. @defaultValue all */
  accepts?: (type: number) => boolean
}

/**
 * Reads RESP2 replies from the bytes a server sends, across chunk boundaries, and hands each
 * complete one to `onReply`. Bulk strings are views of the chunk they arrived in, not copies.
 * A value larger than a chunk is gathered until it is whole, then read once: never re-read from
 * its start on every chunk.
 */
export class RespReader {
  readonly #onReply: (value: RespValue) => void
  readonly #onPush: PushSink | undefined
  readonly #accepts: ((type: number) => boolean) | undefined
  /** Chunks of a value that has not fully arrived, and how many bytes it needs at least. */
  #parts: Buffer[] = []
  #partsLength = 0
  #needed = 0
  /** What the last read produced, and where it ended. */
  #value: RespValue = null
  readonly #channel = new LastName()
  readonly #pattern = new LastName()
  /** Where the bulk string #bulkEnd last found begins. */
  #bulkStart = 0

  constructor(onReply: (value: RespValue) => void, options: RespReaderOptions = {}) {
    this.#onReply = onReply
    this.#onPush = options.onPush
    this.#accepts = options.accepts
  }

  /** Bytes held back, waiting for the rest of a value. */
  get buffered(): number {
    return this.#partsLength
  }

  /** Reads a chunk; throws on bytes that are not RESP2 (the connection must then be dropped). */
  feed(chunk: Buffer): void {
    let data = chunk
    if (this.#parts.length > 0) {
      this.#parts.push(chunk)
      this.#partsLength += chunk.length
      if (this.#partsLength < this.#needed) return
      data = Buffer.concat(this.#parts, this.#partsLength)
      this.#parts = []
      this.#partsLength = 0
    }
    let at = 0
    const length = data.length
    const onPush = this.#onPush
    const accepts = this.#accepts
    while (at < length) {
      this.#needed = 0
      if (accepts !== undefined && !accepts(data[at] as number)) {
        throw new Error(`unexpected reply type ${String.fromCharCode(data[at] as number)}`)
      }
      if (onPush !== undefined && data[at] === STAR) {
        const end = this.#readPush(data, at, onPush)
        if (end > 0) {
          at = end
          continue
        }
      }
      const end = this.#read(data, at)
      if (end === INCOMPLETE) {
        const rest = data.subarray(at)
        this.#parts.push(rest)
        this.#partsLength = rest.length
        this.#needed = Math.max(this.#needed - at, rest.length + 1)
        return
      }
      at = end
      this.#onReply(this.#value)
    }
  }

  /** Forgets a partly read value (the connection it came on is gone). */
  reset(): void {
    this.#parts = []
    this.#partsLength = 0
    this.#needed = 0
  }

  /**
   * Reads a whole message push at `at` and hands it over; returns where it ends, or 0 when what
   * is there is not a complete message push (the general reader then takes it, or waits).
   */
  #readPush(data: Buffer, at: number, onPush: PushSink): number {
    let pattern: ChannelKey | undefined
    let next: number
    if (startsWith(data, at, MESSAGE_HEAD)) {
      next = at + MESSAGE_HEAD.length
    } else if (startsWith(data, at, PMESSAGE_HEAD)) {
      const end = this.#bulkEnd(data, at + PMESSAGE_HEAD.length)
      if (end < 0) return 0
      pattern = this.#pattern.read(data, this.#bulkStart, end)
      next = end + 2
    } else if (startsWith(data, at, SMESSAGE_HEAD)) {
      next = at + SMESSAGE_HEAD.length
    } else {
      return 0
    }
    const channelEnd = this.#bulkEnd(data, next)
    if (channelEnd < 0) return 0
    const channel = this.#channel.read(data, this.#bulkStart, channelEnd)
    next = channelEnd + 2
    const payloadEnd = this.#bulkEnd(data, next)
    if (payloadEnd < 0) return 0
    const payload = data.subarray(this.#bulkStart, payloadEnd)
    onPush(channel, payload, pattern)
    return payloadEnd + 2
  }

  /**
   * Where the bulk string whose `$` is at `at` ends (its CRLF follows), or -1 when it has not all
   * arrived; #bulkStart is then where it begins.
   */
  #bulkEnd(data: Buffer, at: number): number {
    if (data[at] !== DOLLAR) return -1
    const lineEnd = data.indexOf(CR, at + 1)
    if (lineEnd === -1) return -1
    this.#bulkStart = lineEnd + 2
    const length = readInteger(data, at + 1, lineEnd)
    // A negative length (a null, or garbage) would move the reader backwards, and it would loop.
    if (length < 0) return -1
    const end = this.#bulkStart + length
    return end + 2 <= data.length ? end : -1
  }

  /** Reads one value at `at` into #value; returns where it ends, or INCOMPLETE. */
  #read(data: Buffer, at: number): number {
    const type = data[at]
    const lineEnd = data.indexOf(CR, at + 1)
    if (lineEnd === -1 || lineEnd + 1 >= data.length) return INCOMPLETE
    switch (type) {
      case DOLLAR: {
        const size = readInteger(data, at + 1, lineEnd)
        if (size < 0) {
          this.#value = null
          return lineEnd + 2
        }
        const start = lineEnd + 2
        const end = start + size
        if (end + 2 > data.length) {
          this.#needed = end + 2
          return INCOMPLETE
        }
        this.#value = data.subarray(start, end)
        return end + 2
      }
      case STAR: {
        const count = readInteger(data, at + 1, lineEnd)
        if (count < 0) {
          this.#value = null
          return lineEnd + 2
        }
        if (count > MAX_ARRAY) throw new Error(`not a RESP2 reply: an array of ${count} items`)
        const items: RespValue[] = new Array(count)
        let next = lineEnd + 2
        for (let i = 0; i < count; i++) {
          if (next >= data.length) return INCOMPLETE
          next = this.#read(data, next)
          if (next === INCOMPLETE) return INCOMPLETE
          items[i] = this.#value
        }
        this.#value = items
        return next
      }
      case COLON:
        this.#value = readInteger(data, at + 1, lineEnd)
        return lineEnd + 2
      case PLUS:
        this.#value = data.toString('utf8', at + 1, lineEnd)
        return lineEnd + 2
      case MINUS:
        this.#value = new ReplyError(data.toString('utf8', at + 1, lineEnd))
        return lineEnd + 2
      default:
        throw new Error(`not a RESP2 reply: byte ${type} at ${at}`)
    }
  }
}

function readInteger(data: Buffer, from: number, to: number): number {
  let negative = false
  let i = from
  if (data[i] === MINUS) {
    negative = true
    i++
  }
  let value = 0
  for (; i < to; i++) value = value * 10 + ((data[i] as number) - 48)
  return negative ? -value : value
}

function startsWith(data: Buffer, at: number, head: Buffer): boolean {
  if (at + head.length > data.length) return false
  for (let i = 0; i < head.length; i++) if (data[at + i] !== head[i]) return false
  return true
}

/** A reply the publish link can get: an integer, a simple string, or an error's text. */
export type SimpleReply = number | string | ReplyError

/**
 * Reads the replies of the publish link, across chunk boundaries: a RespReader that takes
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
