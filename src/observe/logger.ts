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

/** True when the logger would record debug records: checked once, not on every publish. */
export function isDebugEnabled(logger: Logger): boolean {
  if (typeof logger.isLevelEnabled === 'function') return logger.isLevelEnabled('debug')
  return logger.level === 'debug' || logger.level === 'trace'
}
