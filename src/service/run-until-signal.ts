import type { Logger } from '../observe/logger.js'
import { type RunOptions, SERVICE_DEFAULTS, type StopOptions } from './service-options.js'

/** What run() needs of a service. */
export interface Runnable {
  readonly name: string
  readonly stopped: Promise<void>
  start(): Promise<void>
  stop(options?: StopOptions): Promise<void>
  /** Closes the bus, flushing the last replies. */
  closeBus(): Promise<void>
}

/**
 * Starts the service and stops it gracefully on SIGTERM or SIGINT, as Daebus' app.run() does on
 * KeyboardInterrupt: intake stops, in-flight requests finish (up to the stop timeout), the bus
 * closes, and the process exits with code 0. A second signal during the stop exits at once with
 * code 1. With `exit: false`, the promise resolves after the stop instead.
 */
export async function runUntilSignal(
  service: Runnable,
  log: Logger,
  options: RunOptions = {},
): Promise<void> {
  const signals = options.signals ?? SERVICE_DEFAULTS.signals
  const exit = options.exit ?? SERVICE_DEFAULTS.exit
  await service.start()
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      log.warn({ signal }, `second ${signal} while stopping service "${service.name}": exiting now`)
      if (exit) process.exit(1)
      return
    }
    received = signal
    log.info({ signal }, `${signal}: stopping service "${service.name}" gracefully`)
    void service.stop(options)
  }
  for (const signal of signals) process.on(signal, onSignal)
  await service.stopped
  for (const signal of signals) process.off(signal, onSignal)
  if (exit && received !== undefined) {
    await service.closeBus().catch((error: unknown) => log.error({ err: error }, 'closing the bus failed'))
    process.exit(0)
  }
}
