import type { Codec, CodecName } from '../codec/codec.js'
import { resolveCodec } from '../codec/resolve-codec.js'
import { InvalidArgumentError } from '../errors.js'
import type { ChannelName } from '../transport/channel-key.js'

/** What a value is, in an error message: `42 (number)`, `null`, `an array`. */
function shown(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'object') return 'an object'
  return `${String(value)} (${typeof value})`
}

/** A non-empty channel name: text, or bytes (a Uint8Array) for a name that is not UTF-8. */
export function isChannelName(name: unknown): name is ChannelName {
  return (typeof name === 'string' || name instanceof Uint8Array) && name.length > 0
}

/**
 * publish()'s channel argument, checked where a plain-JavaScript caller gets no help from the
 * types: a non-empty name (text or bytes), or a non-empty list of them.
 */
export function checkPublishChannels(channel: unknown): ChannelName | readonly ChannelName[] {
  if (isChannelName(channel)) return channel
  if (Array.isArray(channel) && channel.length > 0 && channel.every(isChannelName)) return channel
  throw new InvalidArgumentError(
    `publish needs a non-empty channel name (a string, or a Uint8Array of its bytes) or a non-empty ` +
      `list of them; got ${shown(channel)}`,
  )
}

/** subscribe()'s optional handler, or options in its place. */
export function checkHandlerOrOptions<H, O>(value: unknown): { handler?: H; options?: O } {
  if (value === undefined) return {}
  if (typeof value === 'function') return { handler: value as H }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { options: value as O }
  throw new InvalidArgumentError(
    `subscribe's second argument must be a handler function or an options object; got ${shown(value)}`,
  )
}

/** An options argument: undefined or a plain object. */
export function checkOptions<O>(value: unknown, what: string): O | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as O
  throw new InvalidArgumentError(`${what} options must be an object; got ${shown(value)}`)
}

/** A `codec` option: a built-in name or a Codec, never anything that would drop every message. */
export function checkCodecOption(codec: CodecName | Codec | undefined): Codec | undefined {
  return codec === undefined ? undefined : resolveCodec(codec)
}
