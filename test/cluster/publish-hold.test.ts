import { describe, expect, it } from 'vitest'
import { PublishHold } from '../../src/transport/cluster/publish-hold.js'
import type { PublishConnection } from '../../src/transport/redis/publish-connection.js'
import type { PublishReceipt } from '../../src/transport/transport.js'

/** A publish link with replies outstanding until idle() is called. */
function link(pending: number) {
  let wake: () => void = () => undefined
  const idle = new Promise<void>((resolve) => {
    wake = resolve
  })
  const fake = { pending, whenIdle: () => idle }
  return { link: fake as unknown as PublishConnection, idle: () => wake() }
}

const receipt: PublishReceipt = { published: () => undefined, publishFailed: () => undefined }
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('PublishHold: new publishes wait for the links that were busy when slots moved', () => {
  it('sends at once when no link is busy', () => {
    const sent: string[] = []
    const hold = new PublishHold((channel) => sent.push(channel))
    hold.until([link(0).link, undefined])
    expect(hold.take('a', Buffer.from('x'), receipt)).toBe(false)
  })

  it('holds until every busy link is idle, then sends what it held in order', async () => {
    const sent: string[] = []
    const hold = new PublishHold((channel) => sent.push(channel))
    const first = link(2)
    const second = link(1)
    hold.until([first.link, second.link])
    for (const channel of ['a', 'b']) expect(hold.take(channel, Buffer.from('x'), receipt)).toBe(true)
    first.idle()
    await settle()
    expect(sent).toEqual([]) // the second link still owes a reply
    hold.until([link(1).link]) // another move meanwhile: held until that link is idle too
    expect(hold.take('c', Buffer.from('x'), receipt)).toBe(true)
    second.idle()
    await settle()
    expect(sent).toEqual([])
  })

  it('releases in order once the last wait ends, and sends at once after', async () => {
    const sent: string[] = []
    const hold = new PublishHold((channel) => sent.push(channel))
    const busy = link(3)
    hold.until([busy.link])
    for (const channel of ['a', 'b', 'c']) hold.take(channel, Buffer.from('x'), receipt)
    busy.idle()
    await settle()
    expect(sent).toEqual(['a', 'b', 'c'])
    expect(hold.take('d', Buffer.from('x'), receipt)).toBe(false)
  })
})
