import type { SwitchboardError } from '../errors.js'
import { ErrorEpisode } from './error-episode.js'
import { toSwitchboardError } from './store-error.js'
import type { TopicStore } from './topic-store.js'

/** Entries moved per step: a backlog of due entries moves in steps this big, back to back. */
const MOVE_LIMIT = 500

/**
 * Moves a topic's due scheduled entries to their streams. It sleeps until the earliest due time
 * it knows of, and at most pollMs, so that entries other processes scheduled are seen too: a
 * schedule days ahead costs one look per pollMs for the whole topic, nothing per entry. Several
 * schedulers (one per process) may run: each move is one atomic step in the store (a Lua script
 * on Redis), so each entry moves once.
 */
export class Scheduler {
  readonly #store: TopicStore
  readonly #pollMs: number
  readonly #errors: ErrorEpisode
  #running = false
  #timer: NodeJS.Timeout | undefined
  /** When the sleeping loop wakes: a nearer due time wakes it earlier (poke). */
  #wakeAt = Number.POSITIVE_INFINITY
  /** The earliest due time poked since the last step began: the step may have missed it. */
  #pokedDueMs = Number.POSITIVE_INFINITY
  #wake: (() => void) | undefined
  #loop: Promise<void> | undefined

  constructor(store: TopicStore, pollMs: number, onError: (error: SwitchboardError) => void) {
    this.#store = store
    this.#pollMs = pollMs
    this.#errors = new ErrorEpisode(onError)
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#loop = this.#run()
  }

  /** Something was scheduled for dueMs here: wake then, if that is sooner than planned. */
  poke(dueMs: number): void {
    this.start()
    this.#pokedDueMs = Math.min(this.#pokedDueMs, dueMs)
    if (this.#wake && dueMs < this.#wakeAt) this.#sleep(Math.max(0, dueMs - Date.now()))
  }

  async stop(): Promise<void> {
    this.#running = false
    this.#wake?.()
    await this.#loop
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let nextDueMs: number | undefined
      let full = false
      this.#pokedDueMs = Number.POSITIVE_INFINITY
      try {
        const step = await this.#store.moveDue(Date.now(), MOVE_LIMIT)
        full = step.moved === MOVE_LIMIT
        nextDueMs = step.nextDueMs
        this.#errors.succeeded()
      } catch (error) {
        this.#errors.failed(toSwitchboardError(error))
      }
      if (!this.#running) break
      if (full) continue
      const waitMs = Math.min(nextDueMs ?? Number.POSITIVE_INFINITY, this.#pokedDueMs) - Date.now()
      await new Promise<void>((resolve) => {
        this.#wake = resolve
        this.#sleep(Math.max(0, Math.min(waitMs, this.#pollMs)))
      })
    }
  }

  #sleep(ms: number): void {
    clearTimeout(this.#timer)
    this.#wakeAt = Date.now() + ms
    this.#timer = setTimeout(() => {
      this.#wakeAt = Number.POSITIVE_INFINITY
      const wake = this.#wake
      this.#wake = undefined
      wake?.()
    }, ms)
  }
}
