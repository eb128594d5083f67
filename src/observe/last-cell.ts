/**
 * The key asked last and its cell. Events come in runs of one key (a channel, an action, an
 * outcome), and a run then looks nothing up; one per kind of event, where two kinds alternate
 * (a caller publishes to a service and hears on its reply channel, turn and turn about).
 */
export class LastCell<C> {
  #key: string | undefined
  #cell: C | undefined

  /** The cell of `key`: the last one when the key is the same, else what `lookUp` gives. */
  get(key: string, lookUp: (key: string) => C): C {
    if (key === this.#key) return this.#cell as C
    const cell = lookUp(key)
    this.#key = key
    this.#cell = cell
    return cell
  }
}
