import type { Logger } from '../observe/logger.js'
import type { Output } from './context.js'
import type { Style } from './style.js'

const LEVELS = ['debug', 'info', 'warn', 'error'] as const
type Level = (typeof LEVELS)[number]

/**
 * The library's log records as one readable line each on stderr ("switchboard: warning: …"),
 * instead of the default JSON lines. Warnings and errors only, unless --debug.
 */
export class CliLogger implements Logger {
  readonly level: Level
  readonly #out: Output
  readonly #style: Style

  constructor(out: Output, style: Style, level: Level = 'warn') {
    this.#out = out
    this.#style = style
    this.level = level
  }

  isLevelEnabled(level: string): boolean {
    return LEVELS.indexOf(level as Level) >= LEVELS.indexOf(this.level)
  }

  #write(level: Level, obj: object, msg?: string): void {
    if (!this.isLevelEnabled(level)) return
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

  debug(obj: object, msg?: string): void {
    this.#write('debug', obj, msg)
  }
  info(obj: object, msg?: string): void {
    this.#write('info', obj, msg)
  }
  warn(obj: object, msg?: string): void {
    this.#write('warn', obj, msg)
  }
  error(obj: object, msg?: string): void {
    this.#write('error', obj, msg)
  }
  child(): Logger {
    return this
  }
}
