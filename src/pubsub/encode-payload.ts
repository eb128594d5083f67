import type { Codec } from '../codec/codec.js'
import { EncodeError, PayloadTooLargeError, SwitchboardError } from '../errors.js'
import { type Payload, payloadBytes } from '../transport/transport.js'

/**
 * Encodes a value with a codec. A codec that throws something other than a SwitchboardError
 * (a user codec, say) gives EncodeError with the original as `cause`.
 */
export function encodePayload(codec: Codec, data: unknown): Uint8Array {
  try {
    return codec.encode(data)
  } catch (error) {
    if (error instanceof SwitchboardError) throw error
    throw new EncodeError(codec.name, { cause: error })
  }
}

/** Returns `payload`, or throws PayloadTooLargeError when it is larger than `maxBytes`. */
export function checkPayloadSize<P extends Payload>(payload: P, maxBytes: number): P {
  const size = payloadBytes(payload)
  if (size > maxBytes) throw new PayloadTooLargeError(size, maxBytes)
  return payload
}
