import { CpuMeter } from './cpu.js'
import { signalReady } from './role-io.js'

/** What a subscriber role measured. */
export interface ArrivalResult {
  received: number
  lost: number
  /** Messages that did not come after the one before them (on their channel, where it counts). */
  outOfOrder: number
  msgsPerSec: number
  elapsedMs: number
  /** This process's CPU per message received, in µs. */
  cpu: number
}

/**
 * A subscriber role's count of what arrives, timed from the first message to the last. It ends
 * once `expected` messages arrived, or none arrived for idleMs after the first. With `warmup`,
 * the first that many messages are counted (lost, order) but not timed: rate and CPU cover the
 * rest, once the JIT has compiled the receiving path.
 */
export class ArrivalMeter {
  readonly #expected: number
  readonly #idleMs: number
  readonly #warmup: number
  #cpu = new CpuMeter()
  #received = 0
  #outOfOrder = 0
  #firstAt = 0
  #lastAt = 0
  #finish!: () => void
  readonly #done = new Promise<void>((resolve) => {
    this.#finish = resolve
  })

  constructor(expected: number, idleMs: number, warmup = 0) {
    this.#expected = expected
    this.#idleMs = idleMs
    this.#warmup = warmup
  }

  /** One message arrived; `inOrder` is false when it came before one sent ahead of it. */
  arrived(inOrder: boolean): void {
    const now = performance.now()
    if (this.#received === this.#warmup) {
      this.#firstAt = now
      if (this.#warmup > 0) this.#cpu = new CpuMeter()
    }
    this.#lastAt = now
    this.#received += 1
    if (!inOrder) this.#outOfOrder += 1
    if (this.#received === this.#expected) this.#finish()
  }

  /** Signals ready, waits until done, closes the subscriber, and gives what was measured. */
  async measure(close: () => Promise<void>): Promise<ArrivalResult> {
    const idle = setInterval(() => {
      if (this.#received > 0 && performance.now() - this.#lastAt > this.#idleMs) this.#finish()
    }, 50)
    this.#cpu = new CpuMeter()
    signalReady()
    await this.#done
    clearInterval(idle)
    const received = this.#received
    const timed = received - this.#warmup
    const cpuPerMessage = timed > 0 ? this.#cpu.perMessage(timed) : Number.NaN
    await close()
    const elapsedMs = this.#lastAt - this.#firstAt
    return {
      cpu: cpuPerMessage,
      received,
      lost: this.#expected - received,
      outOfOrder: this.#outOfOrder,
      msgsPerSec: timed > 1 ? ((timed - 1) / elapsedMs) * 1000 : 0,
      elapsedMs,
    }
  }
}
