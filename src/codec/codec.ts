/**
 * A codec turns values into message bytes and back. `decode` throws MalformedMessageError for
 * bytes it cannot read; `encode` throws EncodeError for values it cannot write.
 */
export interface Codec {
  /** Short name shown in logs and the CLI, such as 'msgpack'. */
  readonly name: string
  /** The bytes that go on the wire for `value`; throws EncodeError when it cannot. */
  encode(value: unknown): Uint8Array
  /** The value `bytes` hold; throws when they are malformed (the bus reports and drops them). */
  decode(bytes: Uint8Array): unknown
}

/** The codecs built in, by name. */
export type CodecName = 'msgpack' | 'json' | 'raw'
