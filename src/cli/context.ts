import type { ExitCode } from './exit-codes.js'

/** Where a command writes: process.stdout and process.stderr, or a test's capture. */
export interface Output {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
  rows?: number
}

/** What a command may touch of the process, so that commands also run in-process in tests. */
export interface CliContext {
  stdout: Output
  stderr: Output
  stdin: NodeJS.ReadableStream
  env: Record<string, string | undefined>
  cwd: string
  /** Calls `handler` on Ctrl-C or SIGTERM instead of dying; returns a function that removes it. */
  onInterrupt(handler: () => void): () => void
  /** The code the process exits with once the command returns. */
  exitCode: ExitCode
}

export function processContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler)
      process.on('SIGTERM', handler)
      return () => {
        process.off('SIGINT', handler)
        process.off('SIGTERM', handler)
      }
    },
    exitCode: 0,
  }
}
