/**
 * The logger switchboard writes to: any pino-compatible object (pino itself, or a console
 * wrapper). Only the methods below are used.
 */
export interface Logger {
  /** A debug record: fields in `obj`, and a message. */
  debug(obj: object, msg?: string): void
  /** An info record. */
  info(obj: object, msg?: string): void
  /** A warn record. */
  warn(obj: object, msg?: string): void
  /** An error record. */
  error(obj: object, msg?: string): void
  /** A logger that adds `bindings` (such as `{ component }`) to every record. */
  child(bindings: Record<string, unknown>): Logger
  /** pino's level name, such as 'info'. Used to skip building debug records when debug is off. */
  level?: string
  /** pino's check, used when present: true when records of `level` are written. */
  isLevelEnabled?(level: string): boolean
}

/** True when the logger would record debug records: checked once, not on every publish. */
export function isDebugEnabled(logger: Logger): boolean {
  if (typeof logger.isLevelEnabled === 'function') return logger.isLevelEnabled('debug')
  return logger.level === 'debug' || logger.level === 'trace'
}
