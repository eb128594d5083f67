import type { Logger } from './logger.js'

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
/** pino's level names, from the most verbose to 'silent'. */
export type LogLevel = (typeof LOG_LEVELS)[number]
type RecordLevel = 'debug' | 'info' | 'warn' | 'error'

/**
 * A logger with a threshold level: subclasses only say how one record is written. Records below
 * the level are skipped before anything is built.
 */
export abstract class LevelLogger implements Logger {
  readonly level: LogLevel
  readonly #threshold: number

  constructor(level: LogLevel) {
    this.level = level
    this.#threshold = LOG_LEVELS.indexOf(level)
  }

  /** True when records of `level` are written. */
  isLevelEnabled(level: string): boolean {
    const index = LOG_LEVELS.indexOf(level as LogLevel)
    return index >= 0 && index >= this.#threshold && this.level !== 'silent'
  }

  protected abstract write(level: RecordLevel, obj: object, msg: string | undefined): void

  abstract child(bindings: Record<string, unknown>): Logger

  #log(level: RecordLevel, obj: object, msg?: string): void {
    if (this.isLevelEnabled(level)) this.write(level, obj, msg)
  }

  /** Logs at debug level. */
  debug(obj: object, msg?: string): void {
    this.#log('debug', obj, msg)
  }
  /** Logs at info level. */
  info(obj: object, msg?: string): void {
    this.#log('info', obj, msg)
  }
  /** Logs at warn level. */
  warn(obj: object, msg?: string): void {
    this.#log('warn', obj, msg)
  }
  /** Logs at error level. */
  error(obj: object, msg?: string): void {
    this.#log('error', obj, msg)
  }
}
