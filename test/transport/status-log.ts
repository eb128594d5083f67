import type { TransportStatus } from '../../src/transport/transport.js'
import { withTimeout } from '../helpers/wait.js'

type StatusType = TransportStatus['type']

/** Records the statuses a transport emits, and lets a test await the n-th of a kind. */
export class StatusLog {
  readonly all: TransportStatus[] = []
  #waiters: Array<() => void> = []

  readonly sink = (status: TransportStatus): void => {
    this.all.push(status)
    for (const wake of this.#waiters.splice(0)) wake()
  }

  get types(): StatusType[] {
    return this.all.map((s) => s.type)
  }

  of<T extends StatusType>(type: T): Array<Extract<TransportStatus, { type: T }>> {
    return this.all.filter((s): s is Extract<TransportStatus, { type: T }> => s.type === type)
  }

  /** Resolves with the `nth` (1-based) status of this type, once it has been emitted. */
  async next<T extends StatusType>(
    type: T,
    nth = 1,
    ms = 10_000,
  ): Promise<Extract<TransportStatus, { type: T }>> {
    const found = () => this.of(type)[nth - 1]
    const wait = async () => {
      for (;;) {
        const status = found()
        if (status) return status
        await new Promise<void>((resolve) => this.#waiters.push(resolve))
      }
    }
    return withTimeout(wait(), `status ${type} #${nth} (so far: ${this.types.join(', ') || 'none'})`, ms)
  }
}
