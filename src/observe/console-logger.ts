import { LevelLogger, LOG_LEVELS, type LogLevel } from './level-logger.js'
import type { Logger } from './logger.js'

function serialise(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code }
  return value
}

/**
 * The default logger: one JSON line per record on stderr, at `level` and above (default 'warn',
 * overridden by SWITCHBOARD_LOG_LEVEL).
 */
export class ConsoleLogger extends LevelLogger {
  readonly #bindings: Record<string, unknown>

  constructor(level?: LogLevel, bindings: Record<string, unknown> = {}) {
    const fromEnv = process.env.SWITCHBOARD_LOG_LEVEL as LogLevel | undefined
    super(level ?? (fromEnv && LOG_LEVELS.includes(fromEnv) ? fromEnv : 'warn'))
    this.#bindings = bindings
  }

  protected write(level: string, obj: object, msg: string | undefined): void {
    const record: Record<string, unknown> = { level, time: Date.now(), ...this.#bindings }
    for (const [key, value] of Object.entries(obj)) record[key] = serialise(value)
    if (msg !== undefined) record.msg = msg
    process.stderr.write(`${JSON.stringify(record)}\n`)
  }

  child(bindings: Record<string, unknown>): Logger {
    return new ConsoleLogger(this.level, { ...this.#bindings, ...bindings })
  }
}
