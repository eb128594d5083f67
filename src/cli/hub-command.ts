import { resolve } from 'node:path'
import { type Command, Option } from 'commander'
import type { CodecName } from '../codec/codec.js'
import type { Hub } from '../hub/hub.js'
import type { HubStats } from '../hub/hub-stats.js'
import { CliError } from './cli-error.js'
import { type CommonOptions, connectCli, note, resolveUrl, stderrStyle } from './common.js'
import type { CliContext } from './context.js'
import { EXIT_CODES } from './exit-codes.js'
import { parseCount, parseDuration } from './parse-args.js'
import { table } from './render.js'
import { readRoutesForCli } from './routes.js'
import { countProblems, printProblems } from './routes-output.js'

interface HubCommandOptions extends CommonOptions {
  codec: CodecName
  stats: number | false
  watch: boolean
  consumer?: string
  concurrency?: number
  claimIdle?: number
}

const COLUMNS = ['matched', 'done', 'failed', 'retried', 'scheduled', 'cancelled', 'skipped'] as const

/** The stats of every route, one line each, under a header. */
export function statsTable(stats: HubStats): string {
  const rows = Object.entries(stats).map(([route, numbers]) => [
    route,
    ...COLUMNS.map((c) => String(numbers[c])),
  ])
  return table([['route', ...COLUMNS], ...rows])
}

/** Stats printed every `everyMs` when they changed, on SIGUSR2, and once more at the end. */
function statsPrinter(hub: Hub, ctx: CliContext, everyMs: number | false) {
  let last = ''
  const print = (force: boolean) => {
    const now = statsTable(hub.stats())
    if (!force && now === last) return
    last = now
    ctx.stdout.write(`${new Date().toISOString()}\n${now}`)
  }
  const timer = everyMs === false ? undefined : setInterval(() => print(false), everyMs)
  const onSignal = () => print(true)
  process.on('SIGUSR2', onSignal)
  return {
    stop() {
      clearInterval(timer)
      process.off('SIGUSR2', onSignal)
      print(true)
    },
  }
}

/** `switchboard hub <routes file>`: runs a routes file until Ctrl-C or SIGTERM. */
export function registerHub(program: Command, ctx: CliContext): void {
  program
    .command('hub')
    .description(
      'run a routes file: events in, steps out (calls and publishes, now or later, retried), until Ctrl-C; the file reloads when it changes or on SIGHUP',
    )
    .argument('<file>', 'the routes file (YAML or JSON)')
    .addOption(
      new Option('-c, --codec <codec>', 'the codec the events and steps travel in')
        .choices(['msgpack', 'json'])
        .default('msgpack'),
    )
    .option(
      '--stats <duration>',
      'print the stats per route this often when they changed (SIGUSR2 prints them now)',
      parseDuration,
      60_000,
    )
    .option('--no-stats', 'print the stats only on SIGUSR2 and at the end')
    .option('--no-watch', 'do not reload when the file changes (SIGHUP still reloads)')
    .option(
      '--consumer <name>',
      "this hub's name in its group: a hub restarted under the same name takes back its steps at once",
    )
    .option('--concurrency <n>', 'steps run at once', parseCount)
    .option(
      '--claim-idle <duration>',
      'take over a step another hub took and left unfinished this long (it crashed); default 30s',
      parseDuration,
    )
    .addHelpText(
      'after',
      `
Several hubs may run the same file: each event is routed once, and the steps are shared.
A changed file that has errors is refused (its errors are printed) and the running routes stay.

Examples:
  $ switchboard hub routes.yaml --url redis://127.0.0.1:6379
  $ kill -HUP <pid>      # reload
  $ kill -USR2 <pid>     # print the stats per route`,
    )
    .action(async (file: string, options: HubCommandOptions) => {
      const style = stderrStyle(options, ctx)
      const path = resolve(ctx.cwd, file)
      const reading = await readRoutesForCli(file, ctx)
      if (!reading.routes) {
        printProblems(ctx.stderr, style, file, reading.problems)
        throw new CliError(
          `${file} has errors (${countProblems(reading.problems)}): nothing started`,
          EXIT_CODES.BAD_INPUT,
        )
      }
      const url = resolveUrl(options, ctx)
      const bus = await connectCli(options, ctx, { url, codec: options.codec })
      let stopStats: (() => void) | undefined
      const onHangUp = () => void hub?.reload().catch(() => {})
      let hub: Hub | undefined
      try {
        hub = await bus.hub(path, {
          watch: options.watch,
          ...(options.consumer !== undefined && { consumerName: options.consumer }),
          ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
          ...(options.claimIdle !== undefined && { claimIdleMs: options.claimIdle }),
        })
        const events = hub.routes.routes.map((route) => route.event)
        note(ctx, style, `hub ${hub.routes.name}: ${events.length} routes (${events.join(', ')}) on ${url}`)
        note(
          ctx,
          style,
          `${options.watch ? 'watching the file; ' : ''}SIGHUP reloads, SIGUSR2 prints the stats, Ctrl-C stops`,
        )
        hub.on('reloaded', (routes) => note(ctx, style, `reloaded ${file}: ${routes.routes.length} routes`))
        hub.on('refused', (error) => {
          printProblems(ctx.stderr, style, file, error.problems)
          note(
            ctx,
            style,
            `refused the new ${file} (${countProblems(error.problems)}): the running routes stay`,
          )
        })
        process.on('SIGHUP', onHangUp)
        stopStats = statsPrinter(hub, ctx, options.stats).stop
        await new Promise<void>((done) => {
          const remove = ctx.onInterrupt(() => {
            remove()
            done()
          })
        })
        note(ctx, style, 'stopping: steps running now finish first')
        await hub.stop()
      } finally {
        process.off('SIGHUP', onHangUp)
        stopStats?.()
        await bus.close()
      }
    })
}
