import type { RoutesProblem } from '../errors.js'
import { formatProblem } from '../hub/routes-problems.js'
import type { Output } from './context.js'
import type { Style } from './style.js'

/** Prints each problem (error in red, warning in yellow) with its hint on the next line. */
export function printProblems(
  out: Output,
  style: Style,
  file: string,
  problems: readonly RoutesProblem[],
): void {
  for (const problem of problems) {
    const [head = '', ...rest] = formatProblem(problem, file).split('\n')
    const word = problem.severity === 'error' ? style.red('error') : style.yellow('warning')
    out.write(`${head.replace(` ${problem.severity}:`, ` ${word}:`)}\n`)
    for (const line of rest) out.write(`${style.dim(line)}\n`)
  }
}

/** `2 errors, 1 warning`. */
export function countProblems(problems: readonly RoutesProblem[]): string {
  const count = (severity: RoutesProblem['severity'], word: string) => {
    const n = problems.filter((problem) => problem.severity === severity).length
    return `${n} ${word}${n === 1 ? '' : 's'}`
  }
  return `${count('error', 'error')}, ${count('warning', 'warning')}`
}
