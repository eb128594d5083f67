/**
 * A codec turns values into message bytes and back. `decode` throws MalformedMessageError for
 * bytes it cannot read; `encode` throws EncodeError for values it cannot write.
 */
export interface Codec {
  /** Short name shown in logs and the CLI, such as 'msgpack'. */
  readonly name: string
  encode(value: unknown): Uint8Array
  decode(bytes: Uint8Array): unknown
}

/** The codecs built in, by name. */
export type CodecName = 'msgpack' | 'json' | 'raw'
