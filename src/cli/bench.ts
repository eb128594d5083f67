import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { CliError } from './cli-error.js'
import { type CommonOptions, stderrStyle } from './common.js'
import type { CliContext } from './context.js'
import { EXIT_CODES } from './exit-codes.js'
import { findPackageRoot, ownPackageRoot } from './package-root.js'
import { PROGRESS_ENV, parseProgressLine, renderBar } from './progress-bar.js'

interface BenchOptions extends CommonOptions {
  progress?: boolean
}

export function registerBench(program: Command, ctx: CliContext): void {
  program
    .command('bench')
    .description("run the performance suite (the source checkout's `npm run bench`) with a progress bar")
    .argument('[args...]', 'passed to the suite (after --)')
    .option('--no-progress', 'no progress bar: only the suite output')
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard bench                       # in a switchboard source checkout, after npm install
  $ switchboard bench -- --quick            # arguments after -- go to the suite
  $ switchboard bench --url redis://127.0.0.1:6380

The suite compares switchboard with raw node-redis, ioredis and peers measured in the same
run, and prints tables. --url (or SWITCHBOARD_URL) is handed to it as SWITCHBOARD_URL.`,
    )
    .action(async (args: string[], options: BenchOptions) => {
      const root = findPackageRoot(ctx.cwd) ?? ownPackageRoot()
      // An installed package keeps its "bench" script in package.json but not the bench/ folder.
      if (!root?.scripts.bench || !existsSync(join(root.dir, 'bench'))) {
        throw new CliError(
          'the benchmark suite ships only with the source, not the installed package — run `switchboard bench` (or `npm run bench`) in a switchboard checkout, after npm install',
          EXIT_CODES.BENCH_FAILED,
        )
      }
      const url = options.url ?? ctx.env.SWITCHBOARD_URL
      const env: Record<string, string | undefined> = { ...ctx.env, [PROGRESS_ENV]: '1' }
      if (url) env.SWITCHBOARD_URL = url
      const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], {
        cwd: root.dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const style = stderrStyle(options, ctx)
      const tty = ctx.stderr.isTTY === true
      let barShown = false
      const clearBar = (): void => {
        if (barShown) ctx.stderr.write('\r\x1b[K')
        barShown = false
      }
      let last: string | undefined
      createInterface({ input: child.stdout }).on('line', (line) => {
        const progress = parseProgressLine(line)
        if (!progress) {
          clearBar()
          ctx.stdout.write(`${line}\n`)
          if (tty && last) {
            ctx.stderr.write(last)
            barShown = true
          }
          return
        }
        if (options.progress === false) return
        const bar = style.cyan(renderBar(progress, (ctx.stderr.columns ?? 80) - 1, !tty))
        if (tty) {
          clearBar()
          last = bar
          ctx.stderr.write(bar)
          barShown = true
        } else {
          ctx.stderr.write(`${bar}\n`)
        }
      })
      child.stderr.on('data', (chunk: Buffer) => {
        clearBar()
        ctx.stderr.write(chunk.toString())
      })
      const removeInterrupt = ctx.onInterrupt(() => child.kill('SIGINT'))
      try {
        const code = await new Promise<number | null>((resolve, reject) => {
          child.once('error', reject)
          child.once('close', (status) => resolve(status))
        })
        clearBar()
        if (code !== 0) {
          throw new CliError(
            `the benchmark suite failed (exit ${code ?? 'by signal'}) — see its output above`,
            EXIT_CODES.BENCH_FAILED,
          )
        }
      } catch (error) {
        if (error instanceof CliError) throw error
        throw new CliError(
          `cannot run npm: ${(error as Error).message} — is npm on the PATH?`,
          EXIT_CODES.BENCH_FAILED,
          { cause: error },
        )
      } finally {
        removeInterrupt()
      }
    })
}
