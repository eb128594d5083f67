import type { DashboardSnapshot } from '../../src/cli/dashboard/dashboard-state.js'
import type { Bundle, Proc } from './run-cli.js'
import { start } from './run-cli.js'

/** A dashboard process on a free port, and the URL of its page. */
export async function startDashboard(
  cli: Bundle,
  args: readonly string[],
): Promise<{ proc: Proc; url: string }> {
  const proc = start(cli, ['dashboard', '--port', '0', '--interval', '200ms', ...args])
  await proc.waitFor(/^http:\/\/\S+\/$/m, 'stdout')
  const url = /^(http:\/\/\S+\/)$/m.exec(proc.stdout)?.[1] ?? ''
  return { proc, url }
}

/**
 * Reads a dashboard's server-sent events as they come: `until` waits (bounded) for a snapshot the
 * check accepts; `raw` holds every byte received, to search for what must never be sent.
 */
export class EventStream {
  raw = ''
  readonly #controller = new AbortController()
  #latest: DashboardSnapshot | undefined
  #waiters = new Set<() => void>()

  static async open(url: string): Promise<EventStream> {
    const stream = new EventStream()
    const response = await fetch(`${url}events`, { signal: stream.#controller.signal })
    if (!response.ok || !response.body) throw new Error(`GET /events answered ${response.status}`)
    const reader = response.body.getReader()
    const decoder = new TextDecoder()
    void (async () => {
      let pending = ''
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          const text = decoder.decode(value, { stream: true })
          stream.raw += text
          pending += text
          let end = pending.indexOf('\n\n')
          while (end >= 0) {
            const data = pending
              .slice(0, end)
              .split('\n')
              .find((line) => line.startsWith('data: '))
            pending = pending.slice(end + 2)
            if (data) {
              stream.#latest = JSON.parse(data.slice(6)) as DashboardSnapshot
              for (const wake of stream.#waiters) wake()
            }
            end = pending.indexOf('\n\n')
          }
        }
      } catch {
        // aborted
      }
    })()
    return stream
  }

  /** Resolves with the first snapshot (the latest, or one to come) that `check` accepts. */
  until(check: (s: DashboardSnapshot) => boolean, what: string, ms = 20_000): Promise<DashboardSnapshot> {
    return new Promise((resolve, reject) => {
      const test = (): void => {
        if (this.#latest && check(this.#latest)) {
          done()
          resolve(this.#latest)
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(
          new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(this.#latest)}`),
        )
      }, ms)
      const done = (): void => {
        clearTimeout(timer)
        this.#waiters.delete(test)
      }
      this.#waiters.add(test)
      test()
    })
  }

  close(): void {
    this.#controller.abort()
  }
}
