import type { Topic } from '../durable/topic.js'
import type { TopicOptions } from '../durable/topic-options.js'
import type { SwitchboardError } from '../errors.js'
import type { Logger } from '../observe/logger.js'
import type { MessageHandler, Subscription } from '../pubsub/subscription.js'
import type { Caller } from '../rpc/caller.js'
import type { ClaimReading } from '../transport/transport.js'

/**
 * What a hub needs of its bus, as client/ hands it over: subscriptions, publishing, a durable
 * topic, callers, claims (SET NX PX, and GET + PTTL to read one), the error path and a place in
 * the close sequence.
 */
export interface HubContext {
  readonly logger: Logger
  subscribe(name: string, handler: MessageHandler<unknown>): Promise<Subscription<unknown>>
  publish(channel: string, data: unknown): Promise<number>
  topic<T>(name: string, options?: TopicOptions): Topic<T>
  caller(service: string): Caller
  claim(key: string, ttlMs: number, value?: string): Promise<boolean>
  readClaim(key: string): Promise<ClaimReading | undefined>
  reportError(error: SwitchboardError): void
  onClose(hook: () => Promise<void>): () => void
}
