/**
 * What every example shares: its options, running it directly, and waiting (bounded) for
 * messages to arrive before telling the next part of the story.
 */
import { basename } from 'node:path'
import { type Bus, connect } from '../src/index.js'

export interface ExampleOptions {
  /** The broker. @defaultValue SWITCHBOARD_URL, else the embedded broker memory://default */
  url?: string
  /** Where the story goes, one line at a time. @defaultValue console.log */
  print?: (line: string) => void
}

/** Runs `main` when this file is the program (`npx tsx examples/chat-room.ts`), not when imported. */
export function runIfMain(name: string, main: (options: ExampleOptions) => Promise<unknown>): void {
  const script = process.argv[1]
  if (!script || basename(script).replace(/\.[cm]?[jt]s$/, '') !== name) return
  main({}).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}

/**
 * Counts arrivals, so that a story can wait until what it published has been handled. Pub/sub
 * delivery is asynchronous: publish() resolves when the broker has the message, not when the
 * subscribers have run.
 */
export class Arrivals {
  #count = 0
  #waiters: Array<{ target: number; resolve: () => void }> = []

  get count(): number {
    return this.#count
  }

  /** One more message handled. */
  hit(): void {
    this.#count += 1
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#count < w.target) return true
      w.resolve()
      return false
    })
  }

  /** Resolves once `total` messages have been handled in all; rejects after `ms`. */
  until(total: number, what = `${total} messages`, ms = 5000): Promise<void> {
    if (this.#count >= total) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
      this.#waiters.push({
        target: total,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  }
}

/** The buses a story opens, one per app as in production, all closed by closeAll(). */
export class ExampleBuses {
  readonly #url: string | undefined
  readonly #buses: Bus[] = []

  constructor(url: string | undefined) {
    this.#url = url
  }

  async open(): Promise<Bus> {
    const bus = await connect(this.#url)
    this.#buses.push(bus)
    return bus
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#buses.map((bus) => bus.close()))
  }
}
