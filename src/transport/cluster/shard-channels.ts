import type { Shard } from './shard-set.js'

/**
 * PUBSUB SHARDCHANNELS on every primary: a shard channel is listed only by the primary that
 * serves its slot, so one node's answer would miss the others'. A shard that is down (a failover
 * under way) leaves out its channels rather than failing the listing; only when every shard is
 * down does it fail.
 */
export async function listShardChannels(shards: readonly Shard[], pattern: string): Promise<string[]> {
  const lists = await Promise.allSettled(
    shards.map(async (shard) => {
      await shard.opened
      return shard.links.command<string[]>(['PUBSUB', 'SHARDCHANNELS', pattern], 'PUBSUB SHARDCHANNELS')
    }),
  )
  const listed = lists.flatMap((each) => (each.status === 'fulfilled' ? [each.value] : []))
  const failed = lists.find((each) => each.status === 'rejected')
  if (listed.length === 0 && failed) throw failed.reason
  return [...new Set(listed.flat())]
}
