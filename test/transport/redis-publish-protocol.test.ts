import { describe, expect, it } from 'vitest'
import {
  encodeCommand,
  PublishWriter,
  ReplyError,
  type SimpleReply,
  SimpleReplyReader,
} from '../../src/transport/redis/publish-protocol.js'

describe('PublishWriter', () => {
  it('writes PUBLISH commands as RESP, one after another in one buffer', () => {
    const writer = new PublishWriter()
    writer.add('news', Buffer.from('hi'))
    writer.add('caf\u00e9', Uint8Array.from([0, 0xff, 0x0d, 0x0a]))
    expect(writer.count).toBe(2)
    const bytes = writer.take()
    expect(bytes?.toString('latin1')).toBe(
      '*3\r\n$7\r\nPUBLISH\r\n$4\r\nnews\r\n$2\r\nhi\r\n' +
        `*3\r\n$7\r\nPUBLISH\r\n$5\r\n${Buffer.from('caf\u00e9').toString('latin1')}\r\n$4\r\n\u0000\u00ff\r\n\r\n`,
    )
    expect(writer.count).toBe(0)
    expect(writer.take()).toBeUndefined()
  })

  it('sizes the buffer exactly, for empty and large payloads', () => {
    const writer = new PublishWriter()
    writer.add('a', new Uint8Array(0))
    writer.add('b', new Uint8Array(123_456).fill(7))
    const size = writer.size
    const bytes = writer.take()
    expect(bytes?.length).toBe(size)
    expect(bytes?.subarray(0, 26).toString('latin1')).toBe('*3\r\n$7\r\nPUBLISH\r\n$1\r\na\r\n$0')
    expect(bytes?.subarray(30, 30 + 33).toString('latin1')).toBe(
      '*3\r\n$7\r\nPUBLISH\r\n$1\r\nb\r\n$123456\r\n',
    )
  })
})

describe('encodeCommand', () => {
  it('writes every argument as a bulk string', () => {
    expect(encodeCommand(['CLIENT', 'SETNAME', 'sb:pub']).toString()).toBe(
      '*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$6\r\nsb:pub\r\n',
    )
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

describe('PublishWriter with text payloads', () => {
  it('writes text as UTF-8, with its length in bytes, next to byte payloads', () => {
    const writer = new PublishWriter()
    writer.add('t', '{"caf\u00e9":"\u2603"}')
    writer.add('b', Buffer.from('ok'))
    const size = writer.size
    const bytes = writer.take()
    expect(bytes?.length).toBe(size)
    const text = Buffer.from('{"caf\u00e9":"\u2603"}', 'utf8')
    expect(bytes?.toString('latin1')).toBe(
      `*3\r\n$7\r\nPUBLISH\r\n$1\r\nt\r\n$${text.length}\r\n${text.toString('latin1')}\r\n` +
        '*3\r\n$7\r\nPUBLISH\r\n$1\r\nb\r\n$2\r\nok\r\n',
    )
  })
})
