import type { CellHistogram, HistogramCell } from './cell-histogram.js'
import { LastCell } from './last-cell.js'

/**
 * One histogram's cells by outcome, made on first use. The outcome asked last is kept apart:
 * almost every request ends as the one before it did (success), and then no Map is read.
 */
export class OutcomeCells {
  readonly #cells = new Map<string, HistogramCell>()
  readonly #histogram: CellHistogram
  readonly #labels: { service: string; action: string }
  readonly #last = new LastCell<HistogramCell>()

  constructor(histogram: CellHistogram, labels: { service: string; action: string }) {
    this.#histogram = histogram
    this.#labels = labels
  }

  cell(outcome: string): HistogramCell {
    return this.#last.get(outcome, this.#lookUp)
  }

  readonly #lookUp = (outcome: string): HistogramCell => {
    let cell = this.#cells.get(outcome)
    if (cell === undefined) {
      cell = this.#histogram.cell({ ...this.#labels, outcome })
      this.#cells.set(outcome, cell)
    }
    return cell
  }
}

/** An action's histogram cells: of its callers' requests and of its handlers' by outcome. */
export class ActionCell {
  readonly called: OutcomeCells
  readonly handled: OutcomeCells

  constructor(callDuration: CellHistogram, handleDuration: CellHistogram, service: string, action: string) {
    const labels = { service, action }
    this.called = new OutcomeCells(callDuration, labels)
    this.handled = new OutcomeCells(handleDuration, labels)
  }
}
