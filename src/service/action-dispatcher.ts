import { ClosedError, MalformedMessageError, SwitchboardError } from '../errors.js'
import type { HandleOutcome } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import { StatsRecorder } from '../observe/stats-recorder.js'
import { NO_SPAN } from '../observe/tracer.js'
import { validate } from '../pubsub/validate.js'
import { ACTIONS_ACTION, CANCEL_ACTION, claimKey } from '../rpc/channels.js'
import { type BadRequest, decodeRequest, type RpcRequest } from '../rpc/envelope.js'
import type { ActionHandler, ActionOptions } from './action-context.js'
import { type ActiveJob, ActiveRequests } from './active-requests.js'
import { ConcurrencyLimiter } from './concurrency-limiter.js'
import type { ActionEntry, DispatcherConfig } from './dispatcher-config.js'
import { isThenable } from './error-reply.js'
import { Fingerprinter } from './fingerprint-set.js'
import { type AdmissionState, refusalOf } from './refusal.js'
import { RequestAnswers } from './request-answers.js'
import { RequestContext } from './request-context.js'
import type { ServiceStats } from './service-options.js'
import { serviceStats } from './service-stats.js'
import { SharedIntake } from './shared-intake.js'

interface Job extends ActiveJob {
  readonly entry: ActionEntry
}

/**
 * Takes requests from a service's channels to its action handlers and sends the responses.
 *
 * - A request on the instance channel was meant for this instance alone and runs at once. A
 *   request on the shared channel reached every instance, so it goes through the SharedIntake:
 *   only the instance that claims it (SET NX PX on `switchboard:claim:<service>:<request_id>`)
 *   runs it, and a cancel is looked for there too.
 * - At most `concurrency` handlers run; up to `maxQueue` requests wait in FIFO order; beyond that
 *   a request is refused with OVERLOADED at once.
 * - Every request that names a reply channel gets exactly one final response: the result, the
 *   handler's error, or UNKNOWN_ACTION, BAD_REQUEST, DEADLINE_EXCEEDED, VALIDATION, OVERLOADED or
 *   CLOSED. A cancelled request gets none: its caller has gone. Nor does a copy of a request (the
 *   same reply channel and request_id) that arrives while the first is queued or running, or
 *   lately finished (see RecentRequests): the first one answers, and the copy never runs.
 */
export class ActionDispatcher {
  readonly actions = new Map<string, ActionEntry>()
  readonly #config: DispatcherConfig
  readonly #log: Logger
  readonly #limiter: ConcurrencyLimiter<Job>
  readonly #answers: RequestAnswers
  /** Requests queued or running, and lately finished: where cancels and copies are found. */
  readonly #active: ActiveRequests<Job>
  readonly #fingerprints = new Fingerprinter()
  /** What the refusal rules read of this instance: made once, not per request. */
  readonly #admission: AdmissionState
  readonly #shared: SharedIntake
  /**
   * What this service counts, and stats() reads. The service's request subscription counts its
   * deliveries here (ServiceStats.received); everything passes on to the bus's recorder.
   */
  readonly instrumentation: StatsRecorder
  /** The load last told to the instrumentation, so that only changes are told. */
  #toldRunning = 0
  #toldQueued = 0
  #idle: (() => void)[] = []
  /** Set when stop() begins (see beginStop). */
  #stopping = false
  /** Set when stop() gave up: whatever still arrives is refused with CLOSED. */
  #closed = false

  constructor(config: DispatcherConfig) {
    this.#config = config
    this.#log = config.log
    this.instrumentation = new StatsRecorder(config.parent)
    this.#limiter = new ConcurrencyLimiter(config.concurrency, config.maxQueue)
    this.#active = new ActiveRequests(config.dedupeWindowMs, config.dedupeMaxIds)
    const dispatcher = this
    this.#admission = {
      service: config.service,
      get closed() {
        return dispatcher.#closed
      },
      get stopping() {
        return dispatcher.#stopping
      },
      hasAction: (action) => this.actions.has(action),
    }
    this.#answers = new RequestAnswers(config.service, config.pubsub, config.log, (ctx, outcome, error) =>
      this.#ended(ctx, outcome, error),
    )
    this.#shared = new SharedIntake(
      {
        claim: (request) => this.#claim(request.requestId),
        preferred: config.preferred,
        running: () => this.#limiter.running,
        admit: (request) => this.#admit(request, true, Date.now()),
        settled: () => this.#checkIdle(),
        skipped: (request, reason) => this.instrumentation.skipped(config.service, request.action, reason),
      },
      {
        concurrency: config.concurrency,
        maxHeld: config.maxQueue,
        graceMs: config.claimGraceMs,
        maxWaitMs: config.claimWaitMs,
        log: config.log,
      },
    )
  }

  /**
   * stop() began: a request that still arrives on the instance channel with a reply channel is
   * refused at once (CLOSED, `started: false`), and its switchboard caller sends it to another
   * instance. What is queued or running is still served, and so are fire-and-forget requests and
   * shared-channel ones this instance claims: their callers could not send them elsewhere.
   */
  beginStop(): void {
    this.#stopping = true
  }

  /** The counts, read from the recorder; what runs, waits and is held now, from their owners. */
  stats(): ServiceStats {
    return serviceStats(this.instrumentation, {
      inFlight: this.#limiter.running,
      queued: this.#limiter.queued,
      held: this.#shared.held,
    })
  }

  /** Stops taking shared-channel requests: those held back are left to the other instances. */
  stopSharedIntake(): void {
    this.#shared.clear()
  }

  /** Handles one message from the shared service channel (`shared`) or the instance channel. */
  onMessage(bytes: Uint8Array, shared: boolean): void {
    // One clock reading serves the deadline, the memory of finished requests and the refusal rules.
    const now = Date.now()
    const decoded = decodeRequest(bytes, now, this.#config.maxClockSkewMs)
    if (!decoded.ok) {
      this.#badRequest(decoded, shared, bytes)
      return
    }
    const request = decoded.request
    if (request.action === ACTIONS_ACTION) this.#answers.actionNames(request, this.actions.keys())
    else if (request.action === CANCEL_ACTION) this.#cancel(request.replyTo, String(request.requestId))
    else if (!shared) this.#admit(request, false, now)
    else this.#shared.offer(request)
  }

  #claim(requestId: string | number): Promise<boolean> {
    return this.#config.claim(claimKey(this.#config.service, String(requestId)), this.#config.claimTtlMs)
  }

  #badRequest(bad: { ok: false } & BadRequest, shared: boolean, bytes: Uint8Array): void {
    const { replyTo, requestId, reason } = bad
    const { service } = this.#config
    // Through the bus's error path, as a malformed message on a subscription would be: counted
    // here (ServiceStats.malformed) and by the bus, then to 'error' listeners or logged at warn.
    const malformed = new MalformedMessageError(`malformed request to service "${service}": ${reason}`, {
      channel: service,
      bytes,
    })
    this.#config.reportError(malformed, this.instrumentation)
    if (replyTo === undefined) return
    const reply = () =>
      this.#answers.responder.error({ replyTo, requestId: requestId ?? null }, reason, 'BAD_REQUEST')
    // With a request_id, one instance answers; without one, the caller could not match the answer anyway.
    if (shared && requestId !== undefined) {
      this.#claim(requestId).then(
        (won) => {
          if (won) reply()
        },
        () => {},
      )
    } else {
      reply()
    }
  }

  #cancel(replyTo: string | undefined, requestId: string): void {
    if (this.#shared.cancel(replyTo, requestId)) return
    const job = this.#active.get(replyTo, requestId)
    if (!job || job.ctx.cancelled) return
    job.ctx.cancel()
    this.#log.debug(
      { action: job.ctx.action, requestId: job.ctx.requestId },
      'request cancelled by its caller',
    )
    // A queued request is dropped now; a running one ends when its handler returns or throws.
    if (this.#limiter.remove(job)) {
      this.#ended(job.ctx, 'cancelled')
      this.#active.forget(job)
      this.#loadChanged()
      this.#checkIdle()
    }
  }

  /**
   * Admits a request: `claimed` when this instance won it on the shared channel, and so owns it;
   * `now` is Date.now(), read once for the request.
   */
  #admit(request: RpcRequest, claimed: boolean, now: number): void {
    // Clock reads only when an instrumentation listens for durations.
    const timed = this.instrumentation.listening
    const ctx = new RequestContext(
      this.#config.service,
      request,
      this.#fingerprints,
      this.#sendProgress,
      timed ? performance.now() : 0,
    )
    const job: Job = { ctx, entry: this.actions.get(request.action) as ActionEntry, heldBy: undefined }
    // A copy of a request queued, running or lately finished here: the first one answers.
    if (!this.#active.admit(job, now)) {
      this.#log.debug(
        { action: request.action, requestId: ctx.requestId },
        'dropped a copy of a request this instance already has',
      )
      return
    }
    const span = this.instrumentation.tracer?.handle(ctx.service, ctx.action, ctx.requestId, request.headers)
    // NO_SPAN (no SDK, no incoming trace) is as good as none: the handler runs without a closure.
    ctx.span = span === NO_SPAN ? undefined : span
    const refusal = refusalOf(request, claimed, this.#admission, now)
    if (refusal) {
      this.#active.withdraw(job)
      this.#answers.refuse(ctx, refusal.message, refusal.code, refusal.resendable)
      return
    }
    const admission = this.#limiter.offer(job)
    if (admission === 'rejected') {
      this.#active.withdraw(job)
      const { running, queued } = this.#limiter
      const message = `service "${this.#config.service}" is overloaded: ${running} running and ${queued} queued; retry later`
      this.#answers.refuse(ctx, message, 'OVERLOADED')
      return
    }
    this.#loadChanged()
    // Its deadline was checked just now, with the refusal rules.
    if (admission === 'run') this.#run(job, false)
  }

  /**
   * Runs a job, then, for as long as handlers return values rather than promises, the jobs queued
   * behind it: a loop, so that a long queue of synchronous handlers cannot grow the stack.
   */
  #run(first: Job, waited: boolean): void {
    if (!this.#start(first, waited)) return
    for (let job = this.#release(first); job !== undefined; job = this.#release(job)) {
      if (!this.#start(job, true)) return
    }
  }

  /**
   * Starts a job: true when it is over already (refused, or its handler returned or threw at
   * once), false when its handler returned a promise, whose settling releases the slot. A handler
   * that returns a value is answered without a promise hop: at tens of thousands of requests a
   * second, each hop shows. The deadline is checked again for a job that `waited` in the queue.
   */
  #start(job: Job, waited: boolean): boolean {
    const { ctx, entry } = job
    if (waited && ctx.deadline !== undefined && Date.now() > ctx.deadline) {
      const what = this.#answers.name(ctx)
      this.#answers.refuse(
        ctx,
        `the deadline of ${what} passed while it waited in the queue`,
        'DEADLINE_EXCEEDED',
      )
      return true
    }
    let result: unknown
    try {
      // Inside the request's span, so that the handler's own calls and publishes join its trace.
      result =
        ctx.span === undefined ? this.#handle(ctx, entry) : ctx.span.run(() => this.#handle(ctx, entry))
    } catch (error) {
      this.#answers.failed(ctx, error)
      return true
    }
    if (!isThenable(result)) {
      this.#answers.succeeded(ctx, result)
      return true
    }
    // Through Promise.resolve, so that a thenable whose then() throws is a failure like any other.
    Promise.resolve(result).then(
      (value) => {
        this.#answers.succeeded(ctx, value)
        this.#releaseAndRun(job)
      },
      (error: unknown) => {
        this.#answers.failed(ctx, error)
        this.#releaseAndRun(job)
      },
    )
    return false
  }

  #handle(ctx: RequestContext, entry: ActionEntry): unknown {
    return entry.options.schema
      ? this.#validateThenHandle(ctx, entry)
      : (entry.handler as ActionHandler)(ctx.request.payload, ctx)
  }

  async #validateThenHandle(ctx: RequestContext, entry: ActionEntry): Promise<unknown> {
    const what = this.#answers.name(ctx)
    const checked = await validate(
      entry.options.schema as NonNullable<ActionOptions['schema']>,
      ctx.request.payload,
      `payload of ${what}`,
    )
    if (checked instanceof SwitchboardError) throw checked
    return (entry.handler as ActionHandler)(checked, ctx)
  }

  /**
   * Marks a request finished and counts its one outcome; false when it had finished already (so
   * exactly one final reply goes out, and one outcome is counted).
   */
  #ended(ctx: RequestContext, outcome: HandleOutcome, error?: unknown): boolean {
    if (!ctx.finish()) return false
    const recorder = this.instrumentation
    const durationMs = recorder.listening ? performance.now() - ctx.takenAt : 0
    recorder.handled(this.#config.service, ctx.action, outcome, durationMs)
    ctx.span?.end(outcome, error)
    return true
  }

  /**
   * Tells the instrumentation what runs and waits now, when that changed. Recorders do not count
   * it (stats() reads the limiter), so with nobody past them listening there is no one to tell.
   */
  #loadChanged(): void {
    if (!this.instrumentation.listening) return
    const { running, queued } = this.#limiter
    if (running === this.#toldRunning && queued === this.#toldQueued) return
    this.#toldRunning = running
    this.#toldQueued = queued
    this.instrumentation.load(this.#config.service, this.#config.instance, running, queued)
  }

  /** Frees the slot of a finished request and returns the next queued job, which takes it. */
  #release(job: Job): Job | undefined {
    this.#active.forget(job)
    const next = this.#limiter.release()
    this.#loadChanged()
    if (!next) this.#shared.pump()
    this.#checkIdle()
    return next
  }

  #releaseAndRun(job: Job): void {
    const next = this.#release(job)
    if (next) this.#run(next, true)
  }

  readonly #sendProgress = (ctx: RequestContext, partial: unknown): Promise<void> => {
    const replyTo = ctx.replyTo
    if (replyTo === undefined) return Promise.resolve()
    return this.#answers.responder.progress({ replyTo, requestId: ctx.request.requestId }, partial, ctx)
  }

  get busy(): boolean {
    return this.#active.size > 0 || this.#shared.claiming > 0
  }

  /** Resolves when no request is claimed, queued or running, and every response has been published. */
  async idle(): Promise<void> {
    if (this.busy) await new Promise<void>((resolve) => this.#idle.push(resolve))
    await this.#answers.responder.idle()
  }

  #checkIdle(): void {
    if (this.#idle.length > 0 && !this.busy) for (const resolve of this.#idle.splice(0)) resolve()
  }

  /**
   * stop() waited long enough. Every request still queued gets an error reply (code CLOSED, with
   * `started: false`: its caller may send it elsewhere); every one still running gets a CLOSED
   * reply too, and its signal aborts. What arrives later is refused the same way. The running
   * ones stay active until their handlers settle, so that idle() still waits for them.
   */
  abandon(reason: string): void {
    this.#closed = true
    const { service } = this.#config
    for (const job of this.#limiter.clear()) {
      this.#active.forget(job)
      this.#answers.closed(job.ctx, reason, false)
    }
    this.#loadChanged()
    for (const { ctx } of this.#active.values()) {
      ctx.abort(new ClosedError(`service "${service}"`))
      this.#answers.closed(ctx, reason, true)
    }
    this.#shared.clear()
    this.#checkIdle()
  }

  /** The requests whose handlers still run, for stop() to name those that outlive it. */
  running(): { action: string; requestId: string }[] {
    return [...this.#active.values()].map(({ ctx }) => ({ action: ctx.action, requestId: ctx.requestId }))
  }
}
