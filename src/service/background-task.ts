import { ClosedError, InvalidArgumentError } from '../errors.js'
import type { Logger } from '../observe/logger.js'
import { MAX_TIMER_MS } from '../timers.js'
import type { BackgroundOptions, BackgroundTaskFn } from './action-context.js'

/**
 * A task a service runs every `intervalMs` milliseconds, like Daebus' `@app.background`. A run
 * starts one interval after the previous one started, or at once when that one took longer: runs
 * never overlap, and a slow run does not cause a burst of catch-up runs. A run that throws is
 * logged and the schedule goes on. stop() aborts the signal every run gets and waits for the
 * current run to end.
 */
export class BackgroundTask {
  readonly name: string
  readonly intervalMs: number
  readonly #fn: BackgroundTaskFn
  readonly #immediate: boolean
  readonly #log: Logger
  #controller: AbortController | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #runs = 0

  constructor(
    name: string,
    intervalMs: number,
    fn: BackgroundTaskFn,
    options: BackgroundOptions,
    log: Logger,
  ) {
    if (typeof name !== 'string' || name.length === 0)
      throw new InvalidArgumentError('a background task needs a name')
    if (typeof intervalMs !== 'number' || !(intervalMs > 0) || intervalMs > MAX_TIMER_MS) {
      throw new InvalidArgumentError(
        `background task "${name}": intervalMs must be in (0, ${MAX_TIMER_MS}], got ${intervalMs}`,
      )
    }
    if (typeof fn !== 'function') throw new InvalidArgumentError(`background task "${name}" needs a function`)
    this.name = name
    this.intervalMs = intervalMs
    this.#fn = fn
    this.#immediate = options.immediate ?? false
    this.#log = log.child({ task: name })
  }

  /** Runs that have started. */
  get runs(): number {
    return this.#runs
  }

  start(): void {
    if (this.#controller) return
    this.#controller = new AbortController()
    this.#schedule(this.#immediate ? 0 : this.intervalMs)
  }

  /** Aborts the task's signal and resolves when its current run, if any, has ended. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#controller && !this.#controller.signal.aborted) {
      this.#controller.abort(new ClosedError(`background task "${this.name}"`))
    }
    await this.#running
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(this.#tick, delayMs)
  }

  readonly #tick = (): void => {
    const controller = this.#controller
    if (!controller || controller.signal.aborted) return
    const started = Date.now()
    this.#runs += 1
    this.#running = this.#runOnce(controller.signal).finally(() => {
      this.#running = undefined
      if (!controller.signal.aborted) this.#schedule(Math.max(0, this.intervalMs - (Date.now() - started)))
    })
  }

  async #runOnce(signal: AbortSignal): Promise<void> {
    try {
      await this.#fn(signal)
    } catch (error) {
      if (signal.aborted && error === signal.reason) return
      this.#log.error(
        { err: error },
        `background task "${this.name}" failed; it runs again in ${this.intervalMs} ms`,
      )
    }
  }
}
