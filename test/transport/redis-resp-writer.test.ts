import { describe, expect, it } from 'vitest'
import { encodeCommand, PublishWriter } from '../../src/transport/redis/resp-writer.js'

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

describe('PublishWriter for SPUBLISH', () => {
  it('writes SPUBLISH commands, for the shard channels of Redis Cluster', () => {
    const writer = new PublishWriter('SPUBLISH')
    writer.add('news', 'hi')
    expect(writer.size).toBe(writer.take()?.length)
    writer.add('news', 'hi')
    expect(writer.take()?.toString()).toBe('*3\r\n$8\r\nSPUBLISH\r\n$4\r\nnews\r\n$2\r\nhi\r\n')
    // The prefixes of the two commands are kept apart.
    const plain = new PublishWriter()
    plain.add('news', 'hi')
    expect(plain.take()?.toString()).toBe('*3\r\n$7\r\nPUBLISH\r\n$4\r\nnews\r\n$2\r\nhi\r\n')
  })
})

describe('encodeCommand', () => {
  it('writes every argument as a bulk string', () => {
    expect(encodeCommand(['CLIENT', 'SETNAME', 'sb:pub']).toString()).toBe(
      '*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$6\r\nsb:pub\r\n',
    )
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
