/**
 * The logger switchboard writes to: any pino-compatible object (pino itself, or a console
 * wrapper). Only the methods below are used.
 */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: Record<string, unknown>): Logger
  /** pino's level name, such as 'info'. Used to skip building debug records when debug is off. */
  level?: string
  isLevelEnabled?(level: string): boolean
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** True when the logger would record debug records: checked once, not on every publish. */
export function isDebugEnabled(logger: Logger): boolean {
  if (typeof logger.isLevelEnabled === 'function') return logger.isLevelEnabled('debug')
  return logger.level === 'debug' || logger.level === 'trace'
}

function serialise(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code }
  return value
}

/**
 * The default logger: one JSON line per record on stderr, at `level` and above (default 'warn',
 * overridden by SWITCHBOARD_LOG_LEVEL).
 */
export class ConsoleLogger implements Logger {
  readonly level: LogLevel
  readonly #bindings: Record<string, unknown>
  readonly #threshold: number

  constructor(level?: LogLevel, bindings: Record<string, unknown> = {}) {
    const fromEnv = process.env.SWITCHBOARD_LOG_LEVEL as LogLevel | undefined
    this.level = level ?? (fromEnv && LOG_LEVELS.includes(fromEnv) ? fromEnv : 'warn')
    this.#threshold = LOG_LEVELS.indexOf(this.level)
    this.#bindings = bindings
  }

  isLevelEnabled(level: string): boolean {
    const index = LOG_LEVELS.indexOf(level as LogLevel)
    return index >= 0 && index >= this.#threshold && this.level !== 'silent'
  }

  #write(level: LogLevel, obj: object, msg?: string): void {
    if (!this.isLevelEnabled(level)) return
    const record: Record<string, unknown> = { level, time: Date.now(), ...this.#bindings }
    for (const [key, value] of Object.entries(obj)) record[key] = serialise(value)
    if (msg !== undefined) record.msg = msg
    process.stderr.write(`${JSON.stringify(record)}\n`)
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
  child(bindings: Record<string, unknown>): Logger {
    return new ConsoleLogger(this.level, { ...this.#bindings, ...bindings })
  }
}
