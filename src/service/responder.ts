import { jsonCodec } from '../codec/json.js'
import { SwitchboardError } from '../errors.js'
import type { Logger } from '../observe/logger.js'
import type { PubSubBus } from '../pubsub/pubsub-bus.js'
import { errorEnvelope, type RequestId, successEnvelope } from '../rpc/envelope.js'

/** Where a response goes. */
export interface ReplyTarget {
  readonly replyTo: string
  readonly requestId: RequestId | null
}

/**
 * Publishes responses on reply channels. It never throws: a response that cannot be encoded is
 * replaced by an error response saying why, and a failed publish is logged. It counts the
 * publishes still in flight, so that stop() can wait for the last replies to leave.
 */
export class Responder {
  readonly #bus: PubSubBus
  readonly #log: Logger
  #outstanding = 0
  #idle: (() => void)[] = []

  constructor(bus: PubSubBus, log: Logger) {
    this.#bus = bus
    this.#log = log
  }

  /** A success response; `final: false` makes it progress. */
  success(target: ReplyTarget, payload: unknown, final: boolean, what: string): Promise<void> {
    let bytes: Uint8Array
    try {
      bytes = this.#bus.encode(successEnvelope(target.requestId, payload, final), jsonCodec)
    } catch (error) {
      const code = error instanceof SwitchboardError ? error.code : 'ENCODE'
      const reason = error instanceof Error ? error.message : String(error)
      const message = `${what} produced a ${final ? 'result' : 'progress value'} that cannot be sent: ${reason}`
      this.#log.error({ err: error, requestId: target.requestId }, message)
      // A progress value that cannot travel is logged only: the final response is still to come.
      return final ? this.error(target, message, code) : Promise.resolve()
    }
    return this.#publish(target, bytes)
  }

  /** An error response: `{"error": message, "code": code}`. */
  error(target: ReplyTarget, message: string, code: string | undefined): Promise<void> {
    return this.#publish(target, this.#bus.encode(errorEnvelope(target.requestId, message, code), jsonCodec))
  }

  /** Resolves when no response is being published. */
  idle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #publish(target: ReplyTarget, bytes: Uint8Array): Promise<void> {
    this.#outstanding += 1
    return this.#bus
      .publishBytes(target.replyTo, bytes)
      .then(
        (receivers) => {
          if (receivers === 0)
            this.#log.debug({ replyTo: target.replyTo }, 'nobody listens on the reply channel any more')
        },
        (error: unknown) => {
          this.#log.warn(
            { err: error, replyTo: target.replyTo, requestId: target.requestId },
            'could not publish a response',
          )
        },
      )
      .finally(() => {
        this.#outstanding -= 1
        if (this.#outstanding === 0) for (const resolve of this.#idle.splice(0)) resolve()
      })
  }
}
