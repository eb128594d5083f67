/**
 * Notices a server that stopped answering while the TCP connection stays up (a paused process,
 * a partition that left the socket open). node-redis's per-command timeout is off, so nothing else
 * would: commands would wait forever. Every `intervalMs` a PING goes out unless one is still
 * unanswered; when one has waited `timeoutMs`, `onDead` drops the connection, which rejects what
 * is in flight and starts the usual reconnection.
 */
export class LivenessProbe {
  readonly #intervalMs: number
  readonly #timeoutMs: number
  readonly #ping: () => Promise<unknown> | undefined
  readonly #onDead: (waitedMs: number) => void
  readonly #now: () => number
  #timer: NodeJS.Timeout | undefined
  #sentAt: number | undefined

  constructor(
    timeoutMs: number,
    ping: () => Promise<unknown> | undefined,
    onDead: (waitedMs: number) => void,
    now: () => number = Date.now,
  ) {
    this.#timeoutMs = timeoutMs
    this.#intervalMs = Math.max(10, Math.min(1_000, Math.floor(timeoutMs / 2)))
    this.#ping = ping
    this.#onDead = onDead
    this.#now = now
  }

  start(): void {
    if (this.#timeoutMs <= 0 || this.#timer) return
    this.#timer = setInterval(() => this.tick(), this.#intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#sentAt = undefined
  }

  /** One check: public so that tests can drive it without waiting. */
  tick(): void {
    const sentAt = this.#sentAt
    if (sentAt !== undefined) {
      const waited = this.#now() - sentAt
      if (waited >= this.#timeoutMs) {
        this.#sentAt = undefined
        this.#onDead(waited)
      }
      return
    }
    const pong = this.#ping()
    if (!pong) return
    const at = this.#now()
    this.#sentAt = at
    const answered = () => {
      if (this.#sentAt === at) this.#sentAt = undefined
    }
    pong.then(answered, answered)
  }
}
