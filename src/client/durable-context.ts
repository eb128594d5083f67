import type { DurableContext } from '../durable/durable-context.js'
import { MemoryTopicStore } from '../durable/memory/memory-topic-store.js'
import { RedisTopicStore } from '../durable/redis/redis-topic-store.js'
import type { Scheduler } from '../durable/scheduler.js'
import { ClosedError } from '../errors.js'
import type { PubSubCore } from '../pubsub/pubsub-core.js'
import type { BrokerCommands } from '../transport/transport.js'

/**
 * What durable topics get of a bus: the store of its broker (Redis Streams, or the embedded
 * broker's), the bus codec with its size limit, its instrumentation, error path and close.
 */
export function durableContext(pubsub: PubSubCore, broker: BrokerCommands): DurableContext {
  const backend = broker.streams
  const schedulers = new Map<string, Scheduler>()
  return {
    openStore: (topic, retention) =>
      backend.kind === 'memory'
        ? new MemoryTopicStore(backend.broker, topic, retention)
        : new RedisTopicStore(backend.commands, topic, retention),
    codec: pubsub.codec,
    encode: (data) => pubsub.encode(data),
    instrumentation: pubsub.instrumentation,
    timed: pubsub.reporter.recorder.listening,
    reportError: (error) => pubsub.reportError(error),
    onClose: (hook) => pubsub.onClose(hook),
    schedulerFor: (topic, create) => {
      let scheduler = schedulers.get(topic)
      if (!scheduler) {
        scheduler = create()
        schedulers.set(topic, scheduler)
      }
      return scheduler
    },
    checkOpen: () => {
      if (pubsub.isClosing || pubsub.isClosed) throw new ClosedError('bus')
    },
  }
}
