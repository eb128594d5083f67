import { ConnectionError } from '../errors.js'
import { MemoryTransport } from '../transport/memory/memory-transport.js'
import type { Transport } from '../transport/transport.js'
import { parseUrl } from '../transport/url.js'
import { CONNECT_DEFAULTS, type ConnectOptions } from './connect-options.js'

/**
 * Picks the transport a URL names. Throws InvalidUrlError for a URL that does not parse. The
 * Redis and cluster transports are loaded only when a URL needs one, so memory-only programs and
 * the CLI's quick paths never pay for loading node-redis.
 */
export async function createTransport(url: string, options: ConnectOptions<object>): Promise<Transport> {
  const parsed = parseUrl(url)
  const redisOptions = {
    ...options.redis,
    reconnect: options.retry,
    clientName: options.name ?? CONNECT_DEFAULTS.name,
  }
  switch (parsed.scheme) {
    case 'memory':
      return new MemoryTransport(parsed.name)
    case 'redis':
    case 'rediss':
    case 'redis+sentinel': {
      const { RedisTransport } = await import('../transport/redis/redis-transport.js')
      return new RedisTransport(parsed, redisOptions)
    }
    case 'redis+cluster': {
      const { ClusterTransport } = await import('../transport/cluster/cluster-transport.js')
      return new ClusterTransport(parsed, redisOptions)
    }
    default:
      throw new ConnectionError(`${String((parsed as { scheme: string }).scheme)}:// is not supported`, {
        url,
      })
  }
}
