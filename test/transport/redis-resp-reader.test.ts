import { describe, expect, it } from 'vitest'
import { keyOfBytes } from '../../src/transport/channel-key.js'
import {
  ReplyError,
  RespReader,
  type RespValue,
  type SimpleReply,
  SimpleReplyReader,
} from '../../src/transport/redis/resp-reader.js'

type Push = [channel: string, payload: string, pattern: string | undefined]

const CRLF = Buffer.from('\r\n')

function reader() {
  const replies: RespValue[] = []
  const pushes: Push[] = []
  const r = new RespReader((value) => replies.push(value), {
    onPush: (channel, payload, pattern) => pushes.push([channel, payload.toString('utf8'), pattern]),
  })
  return { r, replies, pushes }
}

const show = (value: RespValue): unknown =>
  Array.isArray(value) ? value.map(show) : Buffer.isBuffer(value) ? value.toString('utf8') : value

// Replies and pushes of every kind a subscriber connection sees, one after another.
const STREAM = Buffer.concat([
  Buffer.from('+OK\r\n'),
  Buffer.from('*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n'),
  Buffer.from('*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$12\r\nhello\r\nworld\r\n'),
  Buffer.from('*4\r\n$8\r\npmessage\r\n$3\r\nn*s\r\n$4\r\nnews\r\n$0\r\n\r\n'),
  // A shard channel's message (SSUBSCRIBE), and its confirmation.
  Buffer.from('*3\r\n$8\r\nsmessage\r\n$5\r\nshard\r\n$1\r\nz\r\n'),
  Buffer.from('*3\r\n$10\r\nssubscribe\r\n$5\r\nshard\r\n:1\r\n'),
  Buffer.from('-NOPERM no permissions\r\n'),
  Buffer.from('*2\r\n$6\r\nmaster\r\n*1\r\n*2\r\n$9\r\n127.0.0.1\r\n:-12\r\n'),
  Buffer.from('$-1\r\n*-1\r\n'),
  // A channel named in UTF-8: caf\u00e9 is 5 bytes.
  Buffer.from('*3\r\n$7\r\nmessage\r\n$5\r\ncaf\u00c3\u00a9\r\n$3\r\n', 'latin1'),
  Buffer.from([0, 0xff, 0x0a]),
  Buffer.from('\r\n'),
])

describe('RespReader', () => {
  it('reads replies and message pushes of every kind (message, pmessage, smessage), in order', () => {
    const { r, replies, pushes } = reader()
    r.feed(STREAM)
    expect(replies.map(show)).toEqual([
      'OK',
      ['subscribe', 'news', 1],
      ['ssubscribe', 'shard', 1],
      expect.any(ReplyError),
      ['master', [['127.0.0.1', -12]]],
      null,
      null,
    ])
    expect((replies[3] as ReplyError).message).toBe('NOPERM no permissions')
    expect(pushes.slice(0, 3)).toEqual([
      ['news', 'hello\r\nworld', undefined],
      ['news', '', 'n*s'],
      ['shard', 'z', undefined],
    ])
    expect(pushes[3]?.[0]).toBe('caf\u00e9')
    expect(r.buffered).toBe(0)
  })

  it('reads the same whatever the chunk boundaries: split at every byte', () => {
    const whole = reader()
    whole.r.feed(STREAM)
    for (let cut = 1; cut < STREAM.length; cut++) {
      const split = reader()
      split.r.feed(STREAM.subarray(0, cut))
      split.r.feed(STREAM.subarray(cut))
      expect(split.replies.map(show)).toEqual(whole.replies.map(show))
      expect(split.pushes).toEqual(whole.pushes)
    }
  })

  it('gathers a payload larger than a chunk and reads it once, byte by byte intact', () => {
    const { r, pushes } = reader()
    const payload = Buffer.alloc(300_000, 'x')
    const frame = Buffer.concat([
      Buffer.from(`*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$${payload.length}\r\n`),
      payload,
      Buffer.from('\r\n'),
    ])
    for (let at = 0; at < frame.length; at += 65_536) r.feed(frame.subarray(at, at + 65_536))
    expect(pushes).toHaveLength(1)
    expect(pushes[0]?.[1].length).toBe(payload.length)
    expect(r.buffered).toBe(0)
  })

  it('tells apart channels of the same length that follow each other', () => {
    const { r, pushes } = reader()
    const message = (channel: string) => `*3\r\n$7\r\nmessage\r\n$4\r\n${channel}\r\n$1\r\nx\r\n`
    r.feed(Buffer.from(message('abcd') + message('abcd') + message('abce') + message('abcd')))
    expect(pushes.map(([channel]) => channel)).toEqual(['abcd', 'abcd', 'abce', 'abcd'])
  })

  it('keeps the exact bytes of channels and patterns that are not UTF-8, as keys', () => {
    const { r, pushes } = reader()
    const bulk = (bytes: number[]) =>
      Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), Buffer.from(bytes), CRLF])
    const message = (channel: number[]) =>
      Buffer.concat([Buffer.from('*3\r\n$7\r\nmessage\r\n'), bulk(channel), bulk([0x78])])
    const pmessage = (pattern: number[], channel: number[]) =>
      Buffer.concat([Buffer.from('*4\r\n$8\r\npmessage\r\n'), bulk(pattern), bulk(channel), bulk([0x78])])
    // Each of these decodes to U+FFFD as UTF-8: only their bytes tell them apart.
    const [a, b, fffd] = [[0x80], [0x81], [0xef, 0xbf, 0xbd]]
    const star = [0x80, 0x2a]
    const starToo = [0x81, 0x2a]
    r.feed(
      Buffer.concat([
        message(a),
        message(b),
        message(a),
        message(fffd),
        pmessage(star, a),
        pmessage(starToo, b),
        pmessage(star, a),
      ]),
    )
    const key = (bytes: number[]) => keyOfBytes(Uint8Array.from(bytes))
    expect(pushes.map(([channel, , pattern]) => [channel, pattern])).toEqual([
      [key(a), undefined],
      [key(b), undefined],
      [key(a), undefined],
      ['\uFFFD', undefined],
      [key(a), key(star)],
      [key(b), key(starToo)],
      [key(a), key(star)],
    ])
    expect(new Set([key(a), key(b), '\uFFFD']).size).toBe(3)
  })

  it('refuses bytes that are not RESP', () => {
    const { r } = reader()
    expect(() => r.feed(Buffer.from('HTTP/1.1 400\r\n'))).toThrow(/not a RESP2 reply/)
  })
})

describe('SimpleReplyReader', () => {
  const read = (...chunks: string[]): { replies: SimpleReply[]; ok: boolean[] } => {
    const replies: SimpleReply[] = []
    const reader = new SimpleReplyReader((reply) => replies.push(reply))
    const ok = chunks.map((chunk) => reader.feed(Buffer.from(chunk, 'latin1')))
    return { replies, ok }
  }

  it('reads integers, simple strings and errors, in order', () => {
    const { replies, ok } = read(':0\r\n:12\r\n+OK\r\n-NOPERM no\r\n:-1\r\n')
    expect(ok).toEqual([true])
    expect(replies.slice(0, 3)).toEqual([0, 12, 'OK'])
    expect(replies[3]).toBeInstanceOf(ReplyError)
    expect((replies[3] as ReplyError).message).toBe('NOPERM no')
    expect(replies[4]).toBe(-1)
  })

  it('joins replies split across chunks anywhere', () => {
    const text = ':1\r\n:23\r\n+OK\r\n-ERR x\r\n:456\r\n'
    for (let cut = 1; cut < text.length; cut++) {
      const { replies } = read(text.slice(0, cut), text.slice(cut))
      expect(replies.map((r) => (r instanceof Error ? r.message : r))).toEqual([1, 23, 'OK', 'ERR x', 456])
    }
    const { replies } = read(...text.split(''))
    expect(replies).toHaveLength(5)
  })

  it('refuses a reply of another type: the pairing of replies would be lost', () => {
    expect(read('$3\r\nabc\r\n').ok).toEqual([false])
    expect(read(':1\r\n*1\r\n').ok).toEqual([false])
  })
})
