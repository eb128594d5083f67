import type { SwitchboardError } from '../errors.js'

/**
 * Reports the first failure of a loop that keeps retrying (a read, a scheduler step) and stays
 * quiet until a success ends the episode: an outage is one error, not one every few milliseconds.
 */
export class ErrorEpisode {
  readonly #report: (error: SwitchboardError) => void
  #failing = false

  constructor(report: (error: SwitchboardError) => void) {
    this.#report = report
  }

  failed(error: SwitchboardError): void {
    if (this.#failing) return
    this.#failing = true
    this.#report(error)
  }

  succeeded(): void {
    this.#failing = false
  }
}
