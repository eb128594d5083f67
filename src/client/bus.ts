import { PubSubBus } from '../pubsub/pubsub-bus.js'

/**
 * The bus connect() returns: pub/sub, and the factories for services and callers.
 */
export class Bus<C extends object = Record<string, unknown>> extends PubSubBus<C> {}
