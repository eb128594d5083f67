import { describe, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import type { Codec } from '../../src/codec/codec.js'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { rawCodec } from '../../src/codec/raw.js'
import { collector, uniq, withTimeout } from '../helpers/wait.js'

describe('dispatch', () => {
  it('decodes a message once per codec, however subscribers of several codecs interleave', async () => {
    let decodes = 0
    const counting: Codec = {
      name: 'counting-msgpack',
      encode: (v) => msgpackCodec.encode(v),
      decode: (b) => {
        decodes += 1
        return msgpackCodec.decode(b)
      },
    }
    const bus = await connect({ url: `memory://${uniq('dispatch')}`, codec: counting })
    try {
      const ch = uniq('ch')
      const seen = collector<string>(3)
      await bus.subscribe(ch, () => seen.push('a'))
      await bus.subscribe(ch, (d) => seen.push(d instanceof Uint8Array ? 'b:raw' : 'b:?'), {
        codec: rawCodec,
      })
      await bus.subscribe(ch, () => seen.push('c'))
      await bus.publish(ch, { x: 1 })
      expect((await withTimeout(seen.done, 'three deliveries')).sort()).toEqual(['a', 'b:raw', 'c'])
      expect(decodes).toBe(1)
    } finally {
      await bus.close()
    }
  })
})
