import { isWireErrorCode, type ResponseErrorCode, SwitchboardError } from '../errors.js'
import type { Logger } from '../observe/logger.js'
import type { PubSubLink } from '../pubsub/pubsub-link.js'
import { encodeError, encodeSuccess, type RequestId } from '../rpc/envelope.js'
import type { Payload, PublishReceipt } from '../transport/transport.js'

/** How much of an error message is kept when the whole one is too large to send. */
const CUT_MESSAGE_LENGTH = 200

/** Where a response goes. */
export interface ReplyTarget {
  readonly replyTo: string
  readonly requestId: RequestId | null
}

/** The action a response answers, named in the error that replaces a result that cannot travel. */
export interface ActionName {
  readonly service: string
  readonly action: string
}

/** What a responder needs of the bus: the size limit, and publishing with a receipt. */
export type ReplyLink = Pick<PubSubLink, 'checkSize' | 'publishTo'>

/** One response on its way: the receipt of its PUBLISH. */
class OutgoingReply implements PublishReceipt {
  readonly #responder: Responder
  readonly target: ReplyTarget
  readonly #sent: (() => void) | undefined

  constructor(responder: Responder, target: ReplyTarget, sent: (() => void) | undefined) {
    this.#responder = responder
    this.target = target
    this.#sent = sent
  }

  published(receivers: number): void {
    this.#responder.settled(this, receivers, undefined)
    this.#sent?.()
  }

  publishFailed(error: unknown): void {
    this.#responder.settled(this, 0, error)
    this.#sent?.()
  }
}

/**
 * Publishes responses on reply channels. It never throws: a response that cannot be encoded is
 * replaced by an error response saying why, and a failed publish is logged. It counts the
 * publishes still in flight, so that stop() can wait for the last replies to leave.
 */
export class Responder {
  readonly #pubsub: ReplyLink
  readonly #log: Logger
  #outstanding = 0
  #idle: (() => void)[] = []

  constructor(pubsub: ReplyLink, log: Logger) {
    this.#pubsub = pubsub
    this.#log = log
  }

  /** The final response of a request that succeeded. */
  success(target: ReplyTarget, payload: unknown, source: ActionName): void {
    const bytes = this.#encodeSuccess(target, payload, true, source)
    if (bytes) this.#publish(target, bytes, undefined)
  }

  /** A progress response (`final: false`); resolves once published, never rejects. */
  progress(target: ReplyTarget, payload: unknown, source: ActionName): Promise<void> {
    const bytes = this.#encodeSuccess(target, payload, false, source)
    if (!bytes) return Promise.resolve()
    return new Promise((resolve) => this.#publish(target, bytes, resolve))
  }

  /**
   * An error response: `{"error": message, "code": code}`, and `"started": false` when
   * `notStarted` (see ErrorPayload). A message too long for maxPayloadBytes is cut; when even that
   * cannot fit, the failure is logged and the caller times out.
   */
  error(target: ReplyTarget, message: string, code: ResponseErrorCode | undefined, notStarted = false): void {
    let bytes: Payload
    try {
      bytes = this.#pubsub.checkSize(encodeError(target.requestId, message, code, notStarted))
    } catch {
      const cut = `${message.slice(0, CUT_MESSAGE_LENGTH)}... (cut to fit maxPayloadBytes)`
      try {
        bytes = this.#pubsub.checkSize(encodeError(target.requestId, cut, code, notStarted))
      } catch (error) {
        this.#log.error(
          { err: error, requestId: target.requestId, code },
          `could not send an error response: ${cut}`,
        )
        return
      }
    }
    this.#publish(target, bytes, undefined)
  }

  /** Resolves when no response is being published. */
  idle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  /** @internal A response's PUBLISH ended. */
  settled(reply: OutgoingReply, receivers: number, error: unknown): void {
    this.#outstanding -= 1
    if (this.#outstanding === 0 && this.#idle.length > 0)
      for (const resolve of this.#idle.splice(0)) resolve()
    const { replyTo, requestId } = reply.target
    if (error !== undefined) {
      this.#log.warn({ err: error, replyTo, requestId }, 'could not publish a response')
    } else if (receivers === 0) {
      this.#log.debug({ replyTo }, 'nobody listens on the reply channel any more')
    }
  }

  /**
   * The bytes of a success response, or undefined when the value cannot travel: then a final
   * response is replaced by an error response saying why, and a progress value is only logged,
   * since the final response is still to come.
   */
  #encodeSuccess(
    target: ReplyTarget,
    payload: unknown,
    final: boolean,
    source: ActionName,
  ): Payload | undefined {
    try {
      return this.#pubsub.checkSize(encodeSuccess(target.requestId, payload, final))
    } catch (error) {
      const code = error instanceof SwitchboardError && isWireErrorCode(error.code) ? error.code : 'ENCODE'
      const reason = error instanceof Error ? error.message : String(error)
      const what = `${source.service}.${source.action}`
      const message = `${what} produced a ${final ? 'result' : 'progress value'} that cannot be sent: ${reason}`
      this.#log.error({ err: error, requestId: target.requestId }, message)
      if (final) this.error(target, message, code)
      return undefined
    }
  }

  #publish(target: ReplyTarget, bytes: Payload, sent: (() => void) | undefined): void {
    this.#outstanding += 1
    this.#pubsub.publishTo(target.replyTo, bytes, new OutgoingReply(this, target, sent))
  }
}
