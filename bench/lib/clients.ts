import { Redis } from 'ioredis'
import { createClient } from 'redis'

/**
 * The raw clients, set up as a performance-minded user would: node-redis with its per-command
 * timer off (`timeout: 0`) and otherwise its defaults; ioredis with its defaults.
 */

export function nodeRedis(url: string) {
  const client = createClient({ url, commandOptions: { timeout: 0 } })
  client.on('error', (error: Error) => process.stderr.write(`node-redis: ${error.message}\n`))
  return client
}

export type NodeRedis = ReturnType<typeof nodeRedis>

export async function connectNodeRedis(url: string): Promise<NodeRedis> {
  const client = nodeRedis(url)
  await client.connect()
  return client
}

export async function connectIoredis(
  url: string,
  options: { enableAutoPipelining?: boolean } = {},
): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, ...options })
  client.on('error', (error: Error) => process.stderr.write(`ioredis: ${error.message}\n`))
  await client.connect()
  return client
}
