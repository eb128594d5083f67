import { type Command, InvalidArgumentError } from 'commander'
import type { Bus } from '../../client/bus.js'
import { internalsOf } from '../../rpc/bus-internals.js'
import { type CommonOptions, connectCli, note, resolveUrl, stderrStyle } from '../common.js'
import type { CliContext } from '../context.js'
import { parseDuration } from '../parse-args.js'
import { BYTES_CODEC } from '../sub.js'
import { DashboardServer, PAGE_BYTES } from './dashboard-server.js'
import { DashboardState } from './dashboard-state.js'
import { TopicInfos } from './topic-infos.js'

interface DashboardOptions extends CommonOptions {
  port: number
  host: string
  showPayloads?: boolean
  pattern: string
  topic: string[]
  interval: number
}

/** The port the dashboard listens on unless --port says otherwise. */
export const DEFAULT_DASHBOARD_PORT = 7070

/** How often the broker is asked for subscribers, instances and topics: a few commands each time. */
const REFRESH_MS = 2000

export function registerDashboard(program: Command, ctx: CliContext): void {
  program
    .command('dashboard')
    .description(
      'a live web page: channels, services and their instances, latency, durable topics, last errors',
    )
    .option(
      '-p, --port <n>',
      `port to serve the page on (0: any free port)`,
      parsePort,
      DEFAULT_DASHBOARD_PORT,
    )
    .option(
      '--host <address>',
      'address to listen on; anything but 127.0.0.1 lets other machines see it',
      '127.0.0.1',
    )
    .option(
      '--show-payloads',
      'show the last payload of each channel (hidden by default: payloads may be private)',
    )
    .option('--pattern <glob>', 'which channels to watch (a Redis glob pattern)', '*')
    .option(
      '--topic <name>',
      'a durable topic to show (repeatable; reporting processes add theirs)',
      collect,
      [],
    )
    .option('-i, --interval <duration>', 'how often the page is updated', parseDuration, 1000)
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard dashboard                         # http://127.0.0.1:7070/
  $ switchboard dashboard --port 8080 --url redis://10.0.0.5:6379
  $ SWITCHBOARD_REPORT=1 node my-service.js       # processes report their load, latency and errors

The page shows what a pattern subscription sees (rates, request/response round trips of every
Daebus-compatible service, Python ones included), what PUBSUB NUMSUB and PUBSUB CHANNELS say
(subscribers, live instances), and what processes report on switchboard:report. Like monitor,
its pattern subscription counts as a receiver of every channel it matches.`,
    )
    .action(async (options: DashboardOptions) => {
      const url = resolveUrl(options, ctx)
      const bus = await connectCli(options, ctx, { url })
      const state = new DashboardState({
        url: bus.url,
        showPayloads: options.showPayloads === true,
        now: Date.now(),
      })
      const topics = new TopicInfos(bus)
      const server = new DashboardServer(() => JSON.stringify(state.snapshot(Date.now())))
      let stopped = false
      let settle: () => void = () => {}
      const finished = new Promise<void>((resolve) => {
        settle = resolve
      })
      const removeInterrupt = ctx.onInterrupt(() => settle())
      let refreshTimer: NodeJS.Timeout | undefined
      let pushTimer: NodeJS.Timeout | undefined
      try {
        bus.on('disconnected', (error) => state.linkDown(Date.now(), error))
        bus.on('reconnected', () => state.linkUp(Date.now()))
        await bus.subscribe(
          options.pattern,
          (raw: unknown, msg) => state.message(msg.channel, raw as Uint8Array, Date.now()),
          { codec: BYTES_CODEC, pattern: true },
        )
        const pageUrl = await server.listen(options.port, options.host)
        ctx.stdout.write(`${pageUrl}\n`)
        note(
          ctx,
          stderrStyle(options, ctx),
          `dashboard of ${bus.url} on ${pageUrl} (page ${(PAGE_BYTES / 1024).toFixed(1)} KiB) — Ctrl-C to stop`,
        )
        if (!/^(127\.|localhost$|::1$)/.test(options.host)) {
          note(
            ctx,
            stderrStyle(options, ctx),
            `--host ${options.host}: other machines that reach this address can see the page (it has no login)`,
          )
        }
        const refresh = async (): Promise<void> => {
          await refreshBroker(bus, state, topics, options.topic).catch(() => {
            // The link is down: the page says so from the bus events; keep the last values.
          })
          if (!stopped) refreshTimer = setTimeout(refresh, REFRESH_MS)
        }
        await refresh()
        pushTimer = setInterval(
          () => server.broadcast(JSON.stringify(state.snapshot(Date.now()))),
          options.interval,
        )
        await finished
      } finally {
        stopped = true
        clearTimeout(refreshTimer)
        clearInterval(pushTimer)
        removeInterrupt()
        await server.close()
        await bus.close()
      }
    })
}

/** One refresh: subscribers (NUMSUB), instance channels (PUBSUB CHANNELS), durable topics. */
async function refreshBroker(
  bus: Bus,
  state: DashboardState,
  topics: TopicInfos,
  topicOptions: readonly string[],
): Promise<void> {
  const broker = internalsOf(bus, 'the dashboard needs a bus from connect()').broker
  const targets = state.numsubTargets()
  const [counts, instances] = await Promise.all([
    targets.length > 0 ? bus.numsub(targets) : Promise.resolve([]),
    broker.channels('*:instance:*'),
  ])
  state.refreshed(new Map(targets.map((name, i) => [name, counts[i] ?? 0])), instances)
  state.topics(await topics.read([...new Set([...topicOptions, ...state.topicNames()])]))
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('Give a port number from 0 to 65535.')
  }
  return port
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
