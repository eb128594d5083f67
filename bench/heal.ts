/**
 * How long delivery takes to come back once a fault heals (issue 9 point 2): time from the heal
 * to the first message a subscribing bus receives, with commandTimeoutMs at its default and at
 * 2 s. It prints a table and asserts nothing; it takes a few minutes, so it is no part of
 * `npm run bench`. Run it with `node bench/run.mjs heal [--fault-ms 5000,15000] [--cap-ms 30000]`.
 *
 * The bus subscribes through a TcpProxy (test/helpers/tcp-proxy.ts), so that the path can go
 * silent while the server stays healthy. A bare socket straight to the server publishes a
 * message every 10 ms throughout, so that delivery shows as soon as the subscriber works again.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findBinary, freePort, pingRedis } from '../scripts/redis-process.js'
import { type Bus, ConsoleLogger, connect } from '../src/index.js'
import { TcpProxy } from '../test/helpers/tcp-proxy.js'

interface Server {
  port: number
  pause(): void
  resume(): void
  stop(): Promise<void>
}

interface Scenario {
  name: string
  fault(proxy: TcpProxy, server: Server): void
  heal(proxy: TcpProxy, server: Server): void
}

const SCENARIOS: Scenario[] = [
  {
    name: 'path dead (frozen, no FIN/RST; new connections black-holed), then open to new connections only',
    fault: (proxy) => {
      proxy.blackhole(true)
      proxy.freeze()
    },
    heal: (proxy) => proxy.blackhole(false),
  },
  {
    name: 'partition (frozen, new connections black-holed), then healed: old connections flow again',
    fault: (proxy) => {
      proxy.blackhole(true)
      proxy.freeze()
    },
    heal: (proxy) => {
      proxy.blackhole(false)
      proxy.thaw()
    },
  },
  {
    name: 'server paused (SIGSTOP), then resumed (SIGCONT)',
    fault: (_, server) => server.pause(),
    heal: (_, server) => server.resume(),
  },
]

const SETTINGS: Array<{ label: string; commandTimeoutMs: number | undefined }> = [
  { label: 'commandTimeoutMs default (10 s)', commandTimeoutMs: undefined },
  { label: 'commandTimeoutMs 2 s', commandTimeoutMs: 2_000 },
]

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name)
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback
}
const FAULTS_MS = option('--fault-ms', '5000,15000').split(',').map(Number)
const CAP_MS = Number(option('--cap-ms', '30000'))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function startServer(): Promise<Server> {
  const binary = findBinary('redis-server')
  if (!binary) throw new Error('redis-server not found (apt-get install redis-server)')
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-heal-'))
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  )
  while (!(await pingRedis(port))) await sleep(20)
  return {
    port,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      child.kill('SIGCONT')
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** PUBLISH every 10 ms on a bare socket, replies ignored: it buffers through a pause. */
function rawPublisher(port: number, channel: string): { stop(): void } {
  const socket: Socket = netConnect({ port, host: '127.0.0.1' })
  socket.on('data', () => undefined)
  socket.on('error', () => undefined)
  let seq = 0
  const timer = setInterval(() => {
    seq += 1
    const payload = String(seq)
    socket.write(
      `*3\r\n$7\r\nPUBLISH\r\n$${channel.length}\r\n${channel}\r\n$${payload.length}\r\n${payload}\r\n`,
    )
  }, 10)
  return {
    stop: () => {
      clearInterval(timer)
      socket.destroy()
    },
  }
}

interface Figures {
  /** From the fault to the `disconnected` event. */
  noticedMs: number | undefined
  /** From the heal to the first message received. */
  deliveredMs: number | undefined
  /** From the heal to the first `reconnected` after it (undefined if it came before, or never). */
  reconnectedMs: number | undefined
}

async function measure(
  scenario: Scenario,
  commandTimeoutMs: number | undefined,
  faultMs: number,
): Promise<Figures> {
  const server = await startServer()
  const proxy = await TcpProxy.start({ port: server.port })
  let bus: Bus | undefined
  const channel = `heal-${process.pid}-${Date.now()}`
  const publisher = rawPublisher(server.port, channel)
  try {
    bus = await connect({
      url: proxy.url,
      codec: 'raw',
      logger: new ConsoleLogger('error'),
      ...(commandTimeoutMs === undefined ? {} : { redis: { commandTimeoutMs } }),
    })
    let lastDelivery = 0
    await bus.subscribe(channel, () => {
      lastDelivery = performance.now()
    })
    let disconnectedAt: number | undefined
    let reconnectedAt: number | undefined
    bus.on('disconnected', () => {
      disconnectedAt ??= performance.now()
    })
    bus.on('reconnected', () => {
      reconnectedAt = performance.now()
    })
    while (lastDelivery === 0) await sleep(10)

    const faultAt = performance.now()
    scenario.fault(proxy, server)
    await sleep(faultMs)
    const healAt = performance.now()
    reconnectedAt = undefined
    scenario.heal(proxy, server)
    while (lastDelivery <= healAt && performance.now() - healAt < CAP_MS) await sleep(5)
    const deliveredMs = lastDelivery > healAt ? lastDelivery - healAt : undefined
    // `reconnected` may follow the first delivery by a little (it waits for every link).
    const until = performance.now() + 5_000
    while (reconnectedAt === undefined && performance.now() < until && deliveredMs !== undefined)
      await sleep(5)
    return {
      noticedMs: disconnectedAt === undefined ? undefined : disconnectedAt - faultAt,
      deliveredMs,
      reconnectedMs: reconnectedAt === undefined ? undefined : reconnectedAt - healAt,
    }
  } finally {
    publisher.stop()
    await proxy.close()
    server.resume()
    await Promise.race([bus?.close(), sleep(3_000)])
    await server.stop()
  }
}

const ms = (value: number | undefined): string =>
  value === undefined ? `never (> ${CAP_MS / 1000} s)` : `${Math.round(value)} ms`

const rows: string[][] = []
for (const scenario of SCENARIOS) {
  for (const faultMs of FAULTS_MS) {
    for (const { label, commandTimeoutMs } of SETTINGS) {
      const figures = await measure(scenario, commandTimeoutMs, faultMs)
      const row = [
        scenario.name,
        `${faultMs / 1000} s`,
        label,
        ms(figures.noticedMs),
        ms(figures.deliveredMs),
        ms(figures.reconnectedMs),
      ]
      console.error(row.join(' | '))
      rows.push(row)
    }
  }
}
console.log(
  '| fault | lasting | setting | fault → disconnected | heal → first delivery | heal → reconnected |',
)
console.log('| --- | --- | --- | --- | --- | --- |')
for (const row of rows) console.log(`| ${row.join(' | ')} |`)
