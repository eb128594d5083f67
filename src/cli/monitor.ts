import type { Command } from 'commander'
import { type CommonOptions, connectCli, note, resolveUrl, stderrStyle, stdoutStyle } from './common.js'
import type { CliContext } from './context.js'
import { type ChannelRow, MonitorTable, renderTable } from './monitor-table.js'
import { formatDuration, parseCount, parseDuration } from './parse-args.js'
import { BYTES_CODEC } from './sub.js'

interface MonitorOptions extends CommonOptions {
  once?: boolean
  interval: number
  count?: number
  json?: boolean
}

const HIDE_CURSOR = '\x1b[?25l'
const SHOW_CURSOR = '\x1b[?25h'

export function registerMonitor(program: Command, ctx: CliContext): void {
  program
    .command('monitor')
    .description(
      'a live table of the channels seen through a pattern subscription: message rate and last payload',
    )
    .argument('[pattern]', 'which channels to watch (a Redis glob pattern)', '*')
    .option('--once', 'collect for one --interval (or until --count messages), print one table and exit')
    .option(
      '-i, --interval <duration>',
      'refresh every (500ms, 2s); with --once, how long to collect',
      parseDuration,
      1000,
    )
    .option('-n, --count <n>', 'with --once: print the table as soon as n messages have arrived', parseCount)
    .option('--json', 'print each table as one JSON line: {time, pattern, channels: [...]}')
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard monitor                           # everything, refreshed in place every second
  $ switchboard monitor 'orders:*' --interval 5s
  $ switchboard monitor --once --interval 10s     # what flows in 10 s, then exit
  $ switchboard monitor --once --json | jq '.channels[].channel'

It sees what PSUBSCRIBE sees: plain pub/sub channels, including service requests and
replies; not Redis Streams. On a terminal the table is redrawn in place; otherwise a new
table is printed every interval.`,
    )
    .action(async (pattern: string, options: MonitorOptions) => {
      const url = resolveUrl(options, ctx)
      const style = stdoutStyle(options, ctx)
      const bus = await connectCli(options, ctx, { url })
      const table = new MonitorTable(Date.now())
      const live = !options.once && !options.json && ctx.stdout.isTTY === true
      let settle: () => void = () => {}
      const finished = new Promise<void>((resolve) => {
        settle = resolve
      })
      const removeInterrupt = ctx.onInterrupt(() => settle())
      let timer: NodeJS.Timeout | undefined
      let drawn = 0
      const print = (rows: ChannelRow[]): void => {
        if (options.json) {
          ctx.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), pattern, channels: rows })}\n`)
          return
        }
        const lines = renderTable(rows, {
          width: ctx.stdout.columns ?? 120,
          maxRows: live ? Math.max(3, (ctx.stdout.rows ?? 24) - 4) : Number.POSITIVE_INFINITY,
          style,
          title: `switchboard monitor ${pattern} on ${bus.url} — ${table.total} messages, ${rows.length} channels`,
        })
        if (live) {
          // Back to the top of the previous table, clear it, draw the new one.
          ctx.stdout.write(`${drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : ''}${lines.join('\n')}\n`)
          drawn = lines.length
        } else {
          ctx.stdout.write(`${lines.join('\n')}\n${options.once ? '' : '\n'}`)
        }
      }
      try {
        await bus.subscribe(
          pattern,
          (raw: unknown, msg) => {
            table.record(msg.channel, raw as Uint8Array, msg.pattern, Date.now())
            if (options.once && options.count !== undefined && table.total >= options.count) settle()
          },
          { codec: BYTES_CODEC, pattern: true },
        )
        note(
          ctx,
          stderrStyle(options, ctx),
          options.once
            ? `monitoring ${pattern} on ${bus.url} for ${formatDuration(options.interval)}${options.count ? ` or ${options.count} messages` : ''}`
            : `monitoring ${pattern} on ${bus.url} — Ctrl-C to stop`,
        )
        if (options.once) {
          timer = setTimeout(settle, options.interval)
          await finished
          print(table.snapshot(Date.now(), true))
          return
        }
        if (live) ctx.stdout.write(HIDE_CURSOR)
        print(table.snapshot(Date.now()))
        timer = setInterval(() => print(table.snapshot(Date.now())), options.interval)
        await finished
      } finally {
        clearTimeout(timer)
        clearInterval(timer)
        removeInterrupt()
        if (live) ctx.stdout.write(SHOW_CURSOR)
        await bus.close()
      }
    })
}
