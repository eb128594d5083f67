import { Readable } from 'node:stream'
import type { CliContext, Output } from '../../src/cli/context.js'

/** A CliContext that records what a command writes, for running the CLI in-process. */
export interface Captured extends CliContext {
  out: string
  err: string
  /** What Ctrl-C would do. */
  interrupt(): void
}

export interface CaptureOptions {
  env?: Record<string, string>
  /** Pretend stdout and stderr are terminals. */
  tty?: boolean
  columns?: number
  rows?: number
  stdin?: string
  cwd?: string
}

export function captureContext(options: CaptureOptions = {}): Captured {
  const handlers = new Set<() => void>()
  const ctx: Captured = {
    out: '',
    err: '',
    stdout: undefined as unknown as Output,
    stderr: undefined as unknown as Output,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    exitCode: 0,
    onInterrupt(handler) {
      handlers.add(handler)
      return () => handlers.delete(handler)
    },
    interrupt() {
      for (const handler of [...handlers]) handler()
    },
  }
  const stream = (key: 'out' | 'err'): Output => ({
    write(text: string) {
      ctx[key] += text
      return true
    },
    isTTY: options.tty ?? false,
    columns: options.columns ?? 100,
    rows: options.rows ?? 30,
  })
  ctx.stdout = stream('out')
  ctx.stderr = stream('err')
  return ctx
}

/** argv as process.argv has it. */
export const argv = (...args: string[]): string[] => ['node', 'switchboard', ...args]
