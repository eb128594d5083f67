import type { HostPort, SentinelUrl } from '../url.js'
import { LINKS } from './link-monitor.js'
import { ManagedConnection } from './managed-connection.js'
import { createNodeRedisClient, type NodeRedisClient } from './node-redis-client.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import { sentinelAddress, sentinelOptions } from './sentinel-locator.js'

const SWITCH_MASTER = '+switch-master'

/**
 * Parses a `+switch-master` message, "<name> <old-ip> <old-port> <new-ip> <new-port>": the new
 * master of `masterName`, or undefined for another master's failover.
 */
export function parseSwitchMaster(message: string, masterName: string): HostPort | undefined {
  const [name, , , host, port] = message.split(' ')
  if (name !== masterName || host === undefined || port === undefined) return undefined
  return { host, port: Number(port) }
}

/**
 * A connection to one of the Sentinels, subscribed to `+switch-master`. After a failover the
 * old master may keep accepting commands for seconds, until the Sentinels demote it; this tells
 * the transport at once, so that it moves to the new master. It retries forever, rotating over
 * the Sentinels, and its state is no part of the transport's status: losing it only means
 * failovers are noticed when the old master drops the connections.
 */
export function sentinelWatcher(
  target: SentinelUrl,
  url: string,
  options: ResolvedRedisTransportOptions,
  onSwitch: (master: HostPort) => void,
): ManagedConnection<NodeRedisClient> {
  let next = 0
  const ignore = (): void => undefined
  return new ManagedConnection({
    link: LINKS.sentinel,
    url,
    locate: async () => {
      const sentinel = target.sentinels[next % target.sentinels.length] ?? { host: 'localhost', port: 26379 }
      next += 1
      return sentinelAddress(sentinel, options)
    },
    create: (address) => createNodeRedisClient(address, sentinelOptions(options), 'watch'),
    prepare: async (client) => {
      await client.subscribe(SWITCH_MASTER, (message) => {
        const master = parseSwitchMaster(message, target.masterName)
        if (master) onSwitch(master)
      })
    },
    reconnect: { ...options.reconnect, maxAttempts: Number.POSITIVE_INFINITY },
    connectTimeoutMs: options.connectTimeoutMs,
    onUp: ignore,
    onDown: ignore,
    onGaveUp: ignore,
    onError: ignore,
  })
}
