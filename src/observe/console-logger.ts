import { InvalidArgumentError } from '../errors.js'
import { LevelLogger, LOG_LEVELS, type LogLevel } from './level-logger.js'
import type { Logger } from './logger.js'

function serialise(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code }
  return value
}

/** SWITCHBOARD_LOG_LEVEL, when set: a misspelt level is refused rather than quietly ignored. */
function levelFromEnv(): LogLevel | undefined {
  const fromEnv = process.env.SWITCHBOARD_LOG_LEVEL
  if (fromEnv === undefined || fromEnv === '') return undefined
  if ((LOG_LEVELS as readonly string[]).includes(fromEnv)) return fromEnv as LogLevel
  throw new InvalidArgumentError(
    `SWITCHBOARD_LOG_LEVEL=${fromEnv} is not a log level: use one of ${LOG_LEVELS.join(', ')}`,
  )
}

/**
 * The default logger: one JSON line per record on stderr, at `level` and above (default 'warn',
 * overridden by SWITCHBOARD_LOG_LEVEL).
 */
export class ConsoleLogger extends LevelLogger {
  readonly #bindings: Record<string, unknown>

  constructor(level?: LogLevel, bindings: Record<string, unknown> = {}) {
    super(level ?? levelFromEnv() ?? 'warn')
    this.#bindings = bindings
  }

  /** Writes one record as a JSON line on stderr. */
  protected write(level: string, obj: object, msg: string | undefined): void {
    const record: Record<string, unknown> = { level, time: Date.now(), ...this.#bindings }
    for (const [key, value] of Object.entries(obj)) record[key] = serialise(value)
    if (msg !== undefined) record.msg = msg
    process.stderr.write(`${JSON.stringify(record)}\n`)
  }

  /** A logger that adds `bindings` to every record. */
  child(bindings: Record<string, unknown>): Logger {
    return new ConsoleLogger(this.level, { ...this.#bindings, ...bindings })
  }
}
