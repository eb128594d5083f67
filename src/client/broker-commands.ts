import { ClosedError } from '../errors.js'
import type { BrokerCommands } from '../transport/transport.js'

/**
 * The broker commands of a transport as rpc/ and service/ get them: refused with ClosedError once
 * the bus has closed its connections, as every other call on a closed bus is.
 */
export function brokerCommands(transport: BrokerCommands, isClosed: () => boolean): BrokerCommands {
  return {
    channels: (pattern) =>
      isClosed() ? Promise.reject(new ClosedError('bus')) : transport.channels(pattern),
    claim: (key, ttlMs, value) =>
      isClosed() ? Promise.reject(new ClosedError('bus')) : transport.claim(key, ttlMs, value),
    readClaim: (key) => (isClosed() ? Promise.reject(new ClosedError('bus')) : transport.readClaim(key)),
    streams: transport.streams,
  }
}
