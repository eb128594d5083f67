/**
 * The progress protocol between `switchboard bench` and the benchmark suite: when the suite runs
 * with SWITCHBOARD_BENCH_PROGRESS=1 it prints lines such as `::progress 3/12 pubsub fan-out` on
 * stdout; the CLI turns them into a progress bar and passes every other line through.
 */
export const PROGRESS_ENV = 'SWITCHBOARD_BENCH_PROGRESS'

export interface Progress {
  done: number
  total: number
  label: string
}

const LINE = /^::progress\s+(\d+)\s*\/\s*(\d+)(?:\s+(.*))?$/

/** The progress a line reports, or undefined for an ordinary line. */
export function parseProgressLine(line: string): Progress | undefined {
  const match = LINE.exec(line.trim())
  if (!match) return undefined
  const total = Number(match[2])
  if (total <= 0) return undefined
  return { done: Math.min(Number(match[1]), total), total, label: (match[3] ?? '').trim() }
}

/** `[██████░░░░░░]  6/12  label`, in `width` characters at most; `ascii` uses # and -. */
export function renderBar(progress: Progress, width: number, ascii = false): string {
  const counter = `${progress.done}/${progress.total}`
  const barWidth = Math.max(10, Math.min(30, width - counter.length - 8))
  const filled = Math.round((progress.done / progress.total) * barWidth)
  const bar = (ascii ? '#' : '█').repeat(filled) + (ascii ? '-' : '░').repeat(barWidth - filled)
  const line = `[${bar}]  ${counter}  ${progress.label}`
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line
}
