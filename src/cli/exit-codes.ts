/**
 * The exit codes of the `switchboard` command. 1, 2 and 3 are the outcomes of `call`; the others
 * hold for every command. The README documents each one (a test checks).
 */
export const EXIT_CODES = {
  /** Done. */
  OK: 0,
  /** `call`: the service answered with an error. */
  REMOTE_ERROR: 1,
  /** `call`: no final reply within --timeout; `sub --count`: fewer messages than asked within --timeout. */
  TIMEOUT: 2,
  /** `call`: nothing is subscribed to the service channel. */
  NO_RESPONDER: 3,
  /** The broker cannot be reached, or the connection was lost. */
  CONNECTION: 4,
  /** Input cannot be used: bad JSON, an unreadable @file, a value the codec cannot encode, too large; a bad topic or group name; a routes file with errors. */
  BAD_INPUT: 5,
  /** `bench`: the benchmark suite is missing here, or it failed. */
  BENCH_FAILED: 6,
  /** The command line is wrong: unknown command or option, missing argument, bad option value or URL. */
  USAGE: 64,
  /** A bug in switchboard: rerun with --debug and report the stack trace. */
  INTERNAL: 70,
  /** `call`: Ctrl-C cancelled the request. */
  INTERRUPTED: 130,
} as const

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]

/** One line per code, for `switchboard --help` and the README. */
export const EXIT_CODE_MEANINGS: Record<ExitCode, string> = {
  0: 'success',
  1: 'call: the service answered with an error',
  2: 'call: no reply within --timeout; sub --count: too few messages within --timeout',
  3: 'call: no responder (nothing is subscribed to the service channel)',
  4: 'cannot connect to the broker, or the connection was lost',
  5: 'bad input: invalid JSON, unreadable @file, a value the codec cannot encode, a bad topic or group name, or a routes file with errors',
  6: 'bench: the benchmark suite is missing or failed',
  64: 'usage: unknown command or option, missing argument, bad option value or URL',
  70: 'internal error: rerun with --debug and report it',
  130: 'call: cancelled with Ctrl-C',
}
