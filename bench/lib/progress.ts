/**
 * Progress for `switchboard bench`: with SWITCHBOARD_BENCH_PROGRESS=1 the suite prints lines such
 * as `::progress 3/40 rpc switchboard 128` on stdout, which the CLI turns into a progress bar.
 */
export class Progress {
  readonly #enabled = process.env.SWITCHBOARD_BENCH_PROGRESS === '1'
  #done = 0
  #total = 0

  /** Adds steps to the total (each section announces its own before it starts). */
  plan(steps: number): void {
    this.#total += steps
  }

  step(label: string): void {
    this.#done = Math.min(this.#done + 1, this.#total)
    if (this.#enabled) process.stdout.write(`::progress ${this.#done}/${this.#total} ${label}\n`)
    else if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${this.#done}/${this.#total} ${label}`)
  }

  clear(): void {
    if (!this.#enabled && process.stderr.isTTY) process.stderr.write('\r\x1b[K')
  }
}
