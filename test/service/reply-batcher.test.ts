import { describe, expect, test } from 'vitest'
import { ReplyBatcher } from '../../src/service/reply-batcher.js'
import type { Payload, PublishReceipt } from '../../src/transport/transport.js'

/** A link that records each publish, and a receipt that records what it heard. */
function recording() {
  const sent: { channel: string; payload: Payload; receipt: PublishReceipt }[] = []
  const link = {
    publishTo: (channel: string, payload: Payload, receipt: PublishReceipt) =>
      sent.push({ channel, payload, receipt }),
  }
  return { sent, batcher: new ReplyBatcher(link) }
}

function receipt(heard: string[], name: string): PublishReceipt {
  return {
    published: (receivers) => heard.push(`${name}:${receivers}`),
    publishFailed: () => heard.push(`${name}:failed`),
  }
}

const tick = () => new Promise<void>((resolve) => process.nextTick(resolve))

describe('ReplyBatcher (pure)', () => {
  test("one tick's responses to a channel go as one JSON array; each receipt hears the PUBLISH", async () => {
    const { sent, batcher } = recording()
    const heard: string[] = []
    batcher.add('caller:a', '{"n":1}', receipt(heard, 'a1'), 65536)
    batcher.add('caller:b', '{"n":2}', receipt(heard, 'b1'), 65536)
    batcher.add('caller:a', '{"n":3}', receipt(heard, 'a2'), 65536)
    expect(sent).toEqual([])
    await tick()
    expect(sent.map(({ channel, payload }) => [channel, payload])).toEqual([
      ['caller:a', '[{"n":1},{"n":3}]'],
      ['caller:b', '{"n":2}'],
    ])
    sent[0]?.receipt.published(1)
    sent[1]?.receipt.publishFailed(new Error('down'))
    expect(heard).toEqual(['a1:1', 'a2:1', 'b1:failed'])
  })

  test('a batch never passes what its caller takes (3 bytes a character), and order holds', async () => {
    const { sent, batcher } = recording()
    const part = `"${'x'.repeat(8)}"` // 10 characters
    // (2 + 10) * 3 = 36 fits; a second part makes (1 + 11 + 11) * 3 = 69 > 60: sent before it.
    for (let i = 0; i < 3; i++) batcher.add('caller:a', part, receipt([], `p${i}`), 60)
    await tick()
    expect(sent.map(({ payload }) => payload)).toEqual([part, part, part])
    const { sent: later, batcher: other } = recording()
    other.add('caller:a', '1', receipt([], 'small'), 60)
    other.add('caller:a', new Uint8Array([50]), receipt([], 'bytes'), 60)
    other.add('caller:a', '3', receipt([], 'after'), 60)
    await tick()
    // Bytes cannot join a JSON array: what was gathered goes first, then the bytes, then the rest.
    expect(later.map(({ payload }) => payload)).toEqual(['1', new Uint8Array([50]), '3'])
  })
})
