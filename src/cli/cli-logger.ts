import { LevelLogger, type LogLevel } from '../observe/level-logger.js'
import type { Logger } from '../observe/logger.js'
import type { Output } from './context.js'
import type { Style } from './style.js'

/**
 * The library's log records as one readable line each on stderr ("switchboard: warning: …"),
 * instead of the default JSON lines. Warnings and errors only, unless --debug.
 */
export class CliLogger extends LevelLogger {
  readonly #out: Output
  readonly #style: Style

  constructor(out: Output, style: Style, level: LogLevel = 'warn') {
    super(level)
    this.#out = out
    this.#style = style
  }

  protected write(level: string, obj: object, msg: string | undefined): void {
    const label =
      level === 'warn'
        ? this.#style.yellow('warning')
        : level === 'error'
          ? this.#style.red('error')
          : this.#style.dim(level)
    const fields = Object.entries(obj)
      .filter(([key, value]) => value !== undefined && key !== 'err' && key !== 'component')
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    const err = (obj as { err?: unknown }).err
    const detail = msg ?? (err instanceof Error ? err.message : '')
    this.#out.write(
      `switchboard: ${label}: ${detail}${fields.length > 0 ? this.#style.dim(` (${fields.join(' ')})`) : ''}\n`,
    )
  }

  child(): Logger {
    return this
  }
}
