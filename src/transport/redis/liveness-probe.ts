/** What a probe checks, and what it does about a dead link. */
export interface LivenessProbeSpec {
  /**
   * How long a PING may go unanswered while nothing else arrives, in milliseconds, before the
   * link is dead; 0 turns the probe off.
   */
  timeoutMs: number
  /** Sends a PING on the link; undefined when there is no link to check right now. */
  ping: () => Promise<unknown> | undefined
  /**
   * How much the link has read so far (any count that grows with what arrives). Whatever arrives
   * while a PING waits proves the server is there, only behind: the wait starts again. Without
   * it, only the PING's answer counts.
   */
  heard?: () => number
  /** The link is dead: drop it (which rejects what is in flight) and reconnect. */
  onDead: (waitedMs: number) => void
  /** @defaultValue Date.now */
  now?: () => number
  /**
   * Runs a verdict once pending reads have had their turn (setImmediate: after the event loop's
   * I/O phase), so that a loop blocked past the timeout does not condemn a link whose answer is
   * waiting unread in the socket. Tests pass one that runs at once.
   */
  afterReads?: (verdict: () => void) => void
}

/** The PING in flight, and who waits on its outcome. */
interface Outstanding {
  /** When the wait began: the PING went out, or something last arrived since. */
  since: number
  heard: number
  confirms: Array<(alive: boolean) => void>
}

/**
 * Notices a link whose server stopped answering while the TCP connection stays up (a paused
 * process, a frozen middlebox, a dead NAT entry): with node-redis's per-command timeout off, and
 * on the links switchboard speaks RESP on itself, nothing else would, and calls would wait
 * forever. Every `intervalMs` a PING goes out unless one is still unanswered; one that waited
 * timeoutMs with nothing arriving on the link declares it dead. Timer-driven and clock-injected:
 * it holds no socket, so tests drive it with tick().
 */
export class LivenessProbe {
  readonly #spec: LivenessProbeSpec
  readonly #intervalMs: number
  readonly #now: () => number
  readonly #afterReads: (verdict: () => void) => void
  #timer: NodeJS.Timeout | undefined
  #outstanding: Outstanding | undefined

  constructor(spec: LivenessProbeSpec) {
    this.#spec = spec
    this.#intervalMs = Math.max(10, Math.min(1_000, Math.floor(spec.timeoutMs / 2)))
    this.#now = spec.now ?? Date.now
    this.#afterReads = spec.afterReads ?? ((verdict) => setImmediate(verdict))
  }

  start(): void {
    if (this.#spec.timeoutMs <= 0 || this.#timer) return
    this.#timer = setInterval(() => this.tick(), this.#intervalMs)
    this.#timer.unref()
  }

  /** Stops checking; whoever awaits confirm() hears false (the link it checked is gone). */
  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#settle(this.#outstanding, false)
  }

  /**
   * Resolves true once a PING sent now (or the one in flight) is answered; false if the link is
   * declared dead or goes away first. Always true with the probe off, false with no link.
   */
  confirm(): Promise<boolean> {
    if (this.#spec.timeoutMs <= 0) return Promise.resolve(true)
    const outstanding = this.#outstanding ?? this.#send()
    if (!outstanding) return Promise.resolve(false)
    return new Promise((resolve) => outstanding.confirms.push(resolve))
  }

  /** One check: public so that tests can drive it without waiting. */
  tick(): void {
    const outstanding = this.#outstanding
    if (!outstanding) {
      this.#send()
      return
    }
    if (this.#heardSince(outstanding) || this.#now() - outstanding.since < this.#spec.timeoutMs) return
    this.#afterReads(() => {
      if (this.#outstanding !== outstanding || this.#heardSince(outstanding)) return
      const waited = this.#now() - outstanding.since
      this.#settle(outstanding, false)
      this.#spec.onDead(waited)
    })
  }

  /** True, and the wait restarted, when something arrived since the wait began. */
  #heardSince(outstanding: Outstanding): boolean {
    const heard = this.#spec.heard?.() ?? 0
    if (heard === outstanding.heard) return false
    outstanding.heard = heard
    outstanding.since = this.#now()
    return true
  }

  #send(): Outstanding | undefined {
    const pong = this.#spec.ping()
    if (!pong) return undefined
    const outstanding: Outstanding = { since: this.#now(), heard: this.#spec.heard?.() ?? 0, confirms: [] }
    this.#outstanding = outstanding
    pong.then(
      () => this.#settle(outstanding, true),
      () => this.#settle(outstanding, false),
    )
    return outstanding
  }

  #settle(outstanding: Outstanding | undefined, alive: boolean): void {
    if (!outstanding || this.#outstanding !== outstanding) return
    this.#outstanding = undefined
    for (const confirm of outstanding.confirms.splice(0)) confirm(alive)
  }
}
