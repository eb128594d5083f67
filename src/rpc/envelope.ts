import { jsonCodec, parseJson, toJsonText } from '../codec/json.js'
import type { ResponseErrorCode } from '../errors.js'
import { boundedMemo } from '../memo.js'
import { CANCEL_ACTION } from './channels.js'
import { DEFAULT_MAX_CLOCK_SKEW_MS, effectiveDeadline } from './deadline.js'

/**
 * Daebus' JSON envelopes, encoded and decoded without I/O.
 *
 * A request is `{"action","payload","reply_to","request_id","service"}` on the service channel; a
 * response is `{"status","payload","request_id","final"}` on `reply_to`. Keys keep exactly that
 * order, so the bytes match what Daebus' Python `json.dumps` peers produce (up to whitespace).
 * switchboard may add `deadline`, `timeout_ms` and `headers` to a request and `code` to an error
 * payload; Daebus ignores unknown keys. Payloads are written by the json codec, so TypedArrays in
 * them travel as Redis Toolkit's tagged JSON, NaN and the infinities as Python's bare tokens, and
 * bigints as exact integers; the envelope text is written around them, which gives the same bytes
 * as encoding the whole envelope object (a test holds it to that). Envelopes are read as Python's
 * `json.loads` reads them, so a Daebus peer's `NaN` or large integer arrives intact.
 */

/** Daebus callers send UUID strings; a number is echoed back as it came, so the caller finds it. */
export type RequestId = string | number

/** A request as switchboard handles it, after decoding. */
export interface RpcRequest {
  readonly action: string
  readonly payload: unknown
  /** Where responses go; undefined for fire-and-forget (`send()`), which gets none. */
  readonly replyTo: string | undefined
  readonly requestId: RequestId
  /** The service the caller addressed, when it said. */
  readonly service: string | undefined
  /**
   * Epoch milliseconds on this host's clock after which the request is not worth starting: sent
   * as is by a caller, or, decoded, what effectiveDeadline() makes of what the caller sent.
   */
  readonly deadline: number | undefined
  /** Trace context and other metadata, passed through untouched. */
  readonly headers: Readonly<Record<string, string>> | undefined
}

/** A request that could not be read, with whatever is needed to tell its caller so. */
export interface BadRequest {
  readonly reason: string
  readonly replyTo: string | undefined
  readonly requestId: RequestId | undefined
}

export type DecodedRequest =
  | { readonly ok: true; readonly request: RpcRequest }
  | ({ readonly ok: false } & BadRequest)

/** Daebus' statuses: a non-final response is progress whatever its status says. */
export type ResponseStatus = 'success' | 'error' | 'progress'

/** A response as a caller handles it, after decoding. */
export interface RpcResponse {
  /** The request id as a string: the key of the pending-request table. */
  readonly requestId: string
  readonly status: ResponseStatus
  readonly final: boolean
  readonly payload: unknown
}

/**
 * The payload of an error response: `error` is Daebus'; `code` and `started` are switchboard's
 * additions. `started: false` marks a refusal (code CLOSED: the instance is stopping) whose handler
 * never started, so that the caller may send the request to another instance.
 */
export interface ErrorPayload {
  readonly error: string
  readonly code?: string
  readonly started?: false
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isRequestId(value: unknown): value is RequestId {
  return (
    (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value))
  )
}

function isHeaders(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string')
}

/** JSON.stringify of a string: its quoted, escaped JSON text. */
const quote: (value: string | number) => string = JSON.stringify

/** Actions, services and reply channels recur in every request: each is quoted once. */
const quoteName = boundedMemo(quote)

/**
 * Encodes a request, as JSON text (the transport writes it as UTF-8): Daebus' keys in Daebus' order, then the optional switchboard keys. The text
 * is written around the payload's JSON, which is what JSON.stringify of the envelope object
 * gives, without making that object or walking its keys for values JSON cannot carry.
 */
export function encodeRequest(request: RpcRequest & { readonly service: string }): string {
  const replyTo = request.replyTo === undefined ? 'null' : quoteName(request.replyTo)
  let text = `{"action":${quoteName(request.action)},"payload":${toJsonText(request.payload ?? null)},"reply_to":${replyTo},"request_id":${quote(request.requestId)},"service":${quoteName(request.service)}`
  const { deadline, headers } = request
  if (deadline !== undefined) {
    // The time left as well: the service never grants more than that from arrival (see deadline.ts).
    text += `,"deadline":${quote(deadline)},"timeout_ms":${Math.max(0, deadline - Date.now())}`
  }
  if (headers !== undefined) text += `,"headers":${toJsonText(headers)}`
  return `${text}}`
}

/** The cancel message: request-shaped, so that it travels the same way, and Daebus drops it. */
export function encodeCancel(service: string, requestId: string, replyTo: string): string {
  return encodeRequest({
    action: CANCEL_ACTION,
    payload: null,
    replyTo,
    requestId,
    service,
    deadline: undefined,
    headers: undefined,
  })
}

/** Encodes a success response; `final: false` makes it progress. */
export function encodeSuccess(requestId: RequestId | null, payload: unknown, final: boolean): string {
  const id = requestId === null ? 'null' : quote(requestId)
  return `{"status":"success","payload":${toJsonText(payload ?? null)},"request_id":${id},"final":${final}}`
}

/**
 * Encodes an error response: `{"error": message}`, plus `code` when there is one, and
 * `"started": false` for a refusal that may be sent elsewhere (`notStarted`).
 */
export function encodeError(
  requestId: RequestId | null,
  message: string,
  code: ResponseErrorCode | undefined,
  notStarted = false,
): Buffer {
  const coded: ErrorPayload = code === undefined ? { error: message } : { error: message, code }
  const payload: ErrorPayload = notStarted ? { ...coded, started: false } : coded
  return Buffer.from(JSON.stringify({ status: 'error', payload, request_id: requestId, final: true }), 'utf8')
}

function readLoosely(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = parseJson(bytes)
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

function bad(reason: string, fields: Record<string, unknown> | undefined): DecodedRequest {
  const replyTo =
    typeof fields?.reply_to === 'string' && fields.reply_to.length > 0 ? fields.reply_to : undefined
  const requestId = isRequestId(fields?.request_id) ? fields.request_id : undefined
  return { ok: false, reason, replyTo, requestId }
}

/**
 * Decodes a request, or says what is wrong with it and where a reply could still go. `now` is when
 * it arrived, and `maxClockSkewMs` how far the caller's clock is trusted (see effectiveDeadline).
 */
export function decodeRequest(
  bytes: Uint8Array,
  now: number = Date.now(),
  maxClockSkewMs: number = DEFAULT_MAX_CLOCK_SKEW_MS,
): DecodedRequest {
  let value: unknown
  try {
    value = jsonCodec.decode(bytes)
  } catch (error) {
    // The tagged-JSON layer may refuse what plain JSON still reads: enough to find reply_to.
    const reason = error instanceof Error ? error.message : String(error)
    return bad(`request is not valid JSON: ${reason}`, readLoosely(bytes))
  }
  if (!isRecord(value)) return bad('request is not a JSON object', undefined)
  const { action, payload, reply_to: replyTo, request_id: requestId, service, deadline, headers } = value
  const timeoutMs = value.timeout_ms
  if (typeof action !== 'string' || action.length === 0)
    return bad('request lacks "action" (a non-empty string)', value)
  if (!isRequestId(requestId)) return bad('request lacks "request_id" (a string)', value)
  if (!('payload' in value)) return bad('request lacks "payload"', value)
  if (replyTo !== undefined && replyTo !== null && typeof replyTo !== 'string') {
    return bad('request has a "reply_to" that is not a string', value)
  }
  if (service !== undefined && service !== null && typeof service !== 'string') {
    return bad('request has a "service" that is not a string', value)
  }
  if (
    deadline !== undefined &&
    deadline !== null &&
    (typeof deadline !== 'number' || !Number.isFinite(deadline))
  ) {
    return bad('request has a "deadline" that is not a number of epoch milliseconds', value)
  }
  if (timeoutMs !== undefined && timeoutMs !== null && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))) {
    return bad('request has a "timeout_ms" that is not a number of milliseconds >= 0', value)
  }
  if (headers !== undefined && headers !== null && !isHeaders(headers)) {
    return bad('request has "headers" that are not an object of strings', value)
  }
  return {
    ok: true,
    request: {
      action,
      payload,
      replyTo: typeof replyTo === 'string' && replyTo.length > 0 ? replyTo : undefined,
      requestId,
      service: typeof service === 'string' ? service : undefined,
      deadline: effectiveDeadline(
        {
          deadline: typeof deadline === 'number' ? deadline : undefined,
          timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : undefined,
        },
        now,
        maxClockSkewMs,
      ),
      headers: isHeaders(headers) ? headers : undefined,
    },
  }
}

/** Decodes a response, or returns the reason it cannot be used. */
export function decodeResponse(bytes: Uint8Array): RpcResponse | string {
  let value: unknown
  try {
    value = jsonCodec.decode(bytes)
  } catch (error) {
    return `response is not valid JSON: ${error instanceof Error ? error.message : String(error)}`
  }
  if (!isRecord(value)) return 'response is not a JSON object'
  const { status, payload, request_id: requestId, final } = value
  if (!isRequestId(requestId)) return 'response lacks "request_id"'
  if (status !== 'success' && status !== 'error' && status !== 'progress') {
    return `response has an unknown "status": ${JSON.stringify(status)}`
  }
  if (final !== undefined && typeof final !== 'boolean') return 'response has a "final" that is not a boolean'
  // Daebus' own caller treats a missing "final" as true.
  return { requestId: String(requestId), status, final: final ?? true, payload }
}

/** What an error payload says. */
export interface ErrorReading {
  readonly message: string
  readonly code: string | undefined
  /** True when the payload says `"started": false`: the handler never started. */
  readonly notStarted: boolean
}

/** Reads `{"error", "code", "started"}` from an error payload, tolerating peers that send a bare string. */
export function readErrorPayload(payload: unknown): ErrorReading {
  if (isRecord(payload)) {
    const message =
      typeof payload.error === 'string' ? payload.error : JSON.stringify(payload.error ?? 'Unknown error')
    return {
      message,
      code: typeof payload.code === 'string' ? payload.code : undefined,
      notStarted: payload.started === false,
    }
  }
  return {
    message: typeof payload === 'string' ? payload : 'Unknown error',
    code: undefined,
    notStarted: false,
  }
}
