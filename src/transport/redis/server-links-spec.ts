import type { ConnectionError } from '../../errors.js'
import type { StatusSink } from '../transport.js'
import type { RedisUrl } from '../url.js'
import type { RefusedPublish } from './publish-connection.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import type { PushSink } from './resp-reader.js'
import type { PublishCommand } from './resp-writer.js'
import type { RoleClient } from './sentinel-locator.js'
import type { ServerUnsubscribed } from './subscription-ledger.js'

/** What ServerLinks is given: where the server is, how to check it, and where events go. */
export interface ServerLinksSpec {
  /** What ClosedError names once the links are closed: the transport they serve. */
  owner: string
  /** The masked URL, for error messages. */
  url: string
  options: ResolvedRedisTransportOptions
  /** Where the server is now: fixed, or asked of the Sentinels before every connection. */
  locate: () => Promise<RedisUrl>
  /** Checks a new command or subscriber connection before it is used (Sentinel: is it the master?). */
  verify: (client: RoleClient) => Promise<void>
  /** Every message Redis sends. It must not throw: a throw would unwind into the reply reader. */
  onMessage: PushSink
  /** Statuses, in order. */
  onStatus: StatusSink
  /** Reconnection ran out of attempts: every link is cut, and `unusable()` is that error from now on. */
  onGaveUp: (error: ConnectionError) => void
  /** SPUBLISH for a shard of Redis Cluster; PUBLISH by default. */
  publishCommand?: PublishCommand
  /** Takes a publish the server refused, to send it elsewhere (a cluster's MOVED); see RefusedPublish. */
  onPublishRefused?: RefusedPublish
  /** The server ended a desired subscription of its own accord (a shard channel whose slot moved). */
  onServerUnsubscribed?: ServerUnsubscribed
}
