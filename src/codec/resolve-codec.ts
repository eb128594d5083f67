import { InvalidArgumentError } from '../errors.js'
import type { Codec, CodecName } from './codec.js'
import { jsonCodec } from './json.js'
import { msgpackCodec } from './msgpack.js'
import { rawCodec } from './raw.js'

const BUILT_IN: Readonly<Record<CodecName, Codec>> = { msgpack: msgpackCodec, json: jsonCodec, raw: rawCodec }
const NAMES = Object.keys(BUILT_IN).join(', ')

/** The codec for a `codec` option: a built-in name, your own Codec, or undefined for msgpack. */
export function resolveCodec(codec: CodecName | Codec | undefined): Codec {
  if (codec === undefined) return msgpackCodec
  if (typeof codec === 'string') {
    if (Object.hasOwn(BUILT_IN, codec)) return BUILT_IN[codec]
    throw new InvalidArgumentError(`unknown codec "${codec}"; valid names: ${NAMES}`)
  }
  const candidate: Partial<Record<keyof Codec, unknown>> | null = typeof codec === 'object' ? codec : null
  if (
    candidate === null ||
    typeof candidate.name !== 'string' ||
    typeof candidate.encode !== 'function' ||
    typeof candidate.decode !== 'function'
  ) {
    throw new InvalidArgumentError(
      `codec must be one of ${NAMES}, or an object with a string name and encode(value) and decode(bytes) functions`,
    )
  }
  return codec
}
