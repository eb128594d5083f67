import { randomUUID } from 'node:crypto'
import { ClosedError, InvalidArgumentError } from '../errors.js'
import { NO_SPAN, runInSpan } from '../observe/tracer.js'
import { checkCapacity } from '../queue/capacity.js'
import { checkMs } from '../timers.js'
import type { ActionMap, ActionsOf, PayloadOf, ProgressOf, ResultOf } from './action-types.js'
import { Call, type CallSink } from './call.js'
import {
  CALLER_DEFAULTS,
  type CallerOptions,
  type RequestOptions,
  type SendOptions,
} from './caller-options.js'
import { encodeRequest } from './envelope.js'
import { ResponseStream } from './response-stream.js'
import type { CallerStats, RpcClient } from './rpc-client.js'

function checkTimeout(timeoutMs: number): number {
  return checkMs('timeoutMs', timeoutMs, 'positive')
}

function ignore(): void {}

function mergeHeaders(
  base: Readonly<Record<string, string>> | undefined,
  extra: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (!extra) return base
  if (!base) return extra
  return { ...base, ...extra }
}

/**
 * Calls the actions of one service: `bus.caller('user_service')`. Requests are Daebus envelopes;
 * every caller of a bus shares its one reply channel. With several instances of the service
 * running, each request goes to one of them in turn (see RpcClient.publish).
 *
 * ```ts
 * const users = bus.caller<UserService>('user_service', { timeoutMs: 5000 })
 * const user = await users.request('create_user', { name: 'Ada' }, { onProgress: (p) => console.log(p) })
 * for await (const part of users.stream('import_users', { file })) console.log(part)
 * await users.send('record_metric', { name: 'signup' })     // fire and forget
 * ```
 */
export class Caller<A extends ActionsOf<A> = ActionMap> {
  /** The service called. */
  readonly service: string
  readonly #client: RpcClient
  readonly #timeoutMs: number
  readonly #discoveryIntervalMs: number
  readonly #streamBufferSize: number
  readonly #headers: Readonly<Record<string, string>> | undefined

  /** @internal Made by bus.caller(). */
  constructor(client: RpcClient, service: string, options: CallerOptions = {}) {
    if (typeof service !== 'string' || service.length === 0) {
      throw new InvalidArgumentError(`a caller needs a service name, got ${JSON.stringify(service)}`)
    }
    this.service = service
    this.#client = client
    this.#timeoutMs = checkTimeout(options.timeoutMs ?? CALLER_DEFAULTS.timeoutMs)
    this.#discoveryIntervalMs = checkMs(
      'discoveryIntervalMs',
      options.discoveryIntervalMs ?? CALLER_DEFAULTS.discoveryIntervalMs,
      'zero',
    )
    this.#streamBufferSize = checkCapacity(
      'streamBufferSize',
      options.streamBufferSize ?? CALLER_DEFAULTS.streamBufferSize,
    )
    this.#headers = options.headers
  }

  /**
   * Calls an action and resolves to its final response. Rejects with RemoteError when the handler
   * failed, TimeoutError, CancelledError (the signal aborted), or NoResponderError at once when
   * nothing is subscribed to the service.
   */
  request<K extends keyof A & string>(
    action: K,
    payload: PayloadOf<A[K]>,
    options?: RequestOptions<ProgressOf<A[K]>>,
  ): Promise<ResultOf<A[K]>> {
    return new Promise((resolve, reject) => {
      const onProgress = options?.onProgress
      const sink: CallSink = {
        progress: onProgress
          ? (value) => {
              try {
                onProgress(value as ProgressOf<A[K]>)
              } catch (error) {
                this.#client.logError(error, `onProgress of ${this.service}.${action} threw`)
              }
            }
          : ignore,
        resolve: resolve as (value: unknown) => void,
        reject,
      }
      this.#start(action, payload, options, sink)
    })
  }

  /**
   * Calls an action and yields each progress payload, then the final one. Leaving the loop early
   * cancels the request. Fails like request().
   */
  stream<K extends keyof A & string>(
    action: K,
    payload: PayloadOf<A[K]>,
    options?: Omit<RequestOptions<ProgressOf<A[K]>>, 'onProgress'>,
  ): ResponseStream<ProgressOf<A[K]> | ResultOf<A[K]>> {
    const stream = new ResponseStream<ProgressOf<A[K]> | ResultOf<A[K]>>(
      this.#streamBufferSize,
      this.#client.replyChannel,
    )
    const call = this.#start(action, payload, options, stream.sink)
    if (call) stream.bind((error) => call.cancel(error))
    return stream
  }

  /**
   * Fire and forget: publishes the request with no reply_to, so no response comes back, and
   * resolves once it is published. It still goes to one instance only, and still rejects with
   * NoResponderError when nobody receives it.
   */
  async send<K extends keyof A & string>(
    action: K,
    payload: PayloadOf<A[K]>,
    options?: SendOptions,
  ): Promise<void> {
    if (this.#client.isClosed) throw new ClosedError('bus')
    const requestId = randomUUID()
    const headers = mergeHeaders(this.#headers, options?.headers)
    const tracer = this.#client.tracer
    if (tracer === undefined) return this.#send(action, payload, requestId, headers)
    const carrier = { ...headers }
    const span = tracer.request(this.service, action, requestId, carrier)
    return runInSpan(span, () => this.#send(action, payload, requestId, span === NO_SPAN ? headers : carrier))
  }

  async #send(
    action: string,
    payload: unknown,
    requestId: string,
    headers: Readonly<Record<string, string>> | undefined,
  ): Promise<void> {
    const bytes = this.#client.checkSize(
      encodeRequest({
        action,
        payload,
        replyTo: undefined,
        requestId,
        service: this.service,
        deadline: undefined,
        headers,
      }),
    )
    await this.#client.publish(this.service, action, bytes, this.#discoveryIntervalMs)
  }

  /**
   * Counts of the bus's RPC client, which all its callers share (one reply channel per bus):
   * requests pending now, late and malformed replies, and requests finished by outcome.
   */
  stats(): CallerStats {
    return this.#client.stats()
  }

  #start(
    action: string,
    payload: unknown,
    options: RequestOptions<never> | undefined,
    sink: CallSink,
  ): Call | undefined {
    let timeoutMs: number
    try {
      if (this.#client.isClosed) throw new ClosedError('bus')
      timeoutMs = options?.timeoutMs === undefined ? this.#timeoutMs : checkTimeout(options.timeoutMs)
    } catch (error) {
      sink.reject(error as Error)
      return undefined
    }
    const call = new Call(
      this.#client,
      {
        service: this.service,
        action,
        payload,
        timeoutMs,
        discoveryIntervalMs: this.#discoveryIntervalMs,
        signal: options?.signal,
        headers: mergeHeaders(this.#headers, options?.headers),
      },
      sink,
    )
    call.start()
    return call
  }
}
