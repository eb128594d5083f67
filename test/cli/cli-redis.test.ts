import { afterAll, beforeAll, expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, type Proc, run, start } from '../helpers/run-cli.js'
import { uniq } from '../helpers/wait.js'

// The CLI as separate processes around one disposable redis-server: sub in one process, pub in
// another, redis-cli as a foreign publisher, and a service in a third process for call.

// Sequential: each test spawns several processes, which is CPU-bound on a small machine.
describeRedis('switchboard CLI over Redis', { timeout: 60_000 }, () => {
  let server: RedisServer
  let cli: Bundle
  let service: Bundle
  let calc: Proc | undefined
  const running: Proc[] = []

  beforeAll(async () => {
    ;[server, cli, service] = await Promise.all([
      RedisServer.start(),
      bundleTs('src/cli/main.ts'),
      bundleTs('test/cli/fixtures/calc-service.ts'),
    ])
    calc = start(service, [], {
      env: { SWITCHBOARD_URL: server.url, SERVICE_NAME: 'calc' },
      timeoutMs: 120_000,
    })
    await calc.waitFor('ready', 'stdout')
  })
  afterAll(async () => {
    for (const p of [...running, calc]) p?.kill('SIGKILL')
    await server?.stop()
    cli?.remove()
    service?.remove()
  })

  /** Starts `sub` and resolves once it is subscribed. */
  async function subscribed(args: string[], env: Record<string, string> = {}): Promise<Proc> {
    const sub = start(cli, ['sub', '--url', server.url, ...args], { env })
    running.push(sub)
    await sub.waitFor('subscribed to')
    return sub
  }

  test('sub in one process receives what pub sends from another: channel, pattern, size, codec, payload', async () => {
    const channel = uniq('orders')
    const sub = await subscribed([channel, `${channel}:*`, '--count', '2'])
    const size = msgpackCodec.encode({ order_id: 1042, status: 'ready' }).byteLength
    const pub = await run(cli, ['pub', '--url', server.url, channel, '{"order_id": 1042, "status": "ready"}'])
    expect(pub.code).toBe(0)
    expect(pub.stdout).toBe(`published to ${channel} (msgpack, ${size} B): 1 receiver\n`)
    const pub2 = await run(cli, [
      'pub',
      '--url',
      server.url,
      '--codec',
      'json',
      `${channel}:eu`,
      '[1, 2.5, "three"]',
    ])
    expect(pub2.stdout).toContain('1 receiver')
    const done = await sub.exited
    expect(done.code).toBe(0)
    const lines = done.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ${channel}  ${size} B  msgpack  \\{"order_id":1042,"status":"ready"\\}$`,
      ),
    )
    expect(lines[1]).toMatch(
      new RegExp(`  ${channel}:eu  via ${channel}:\\*  15 B  json  \\[1,2\\.5,"three"\\]$`),
    )
  })

  test('sub --json prints ndjson that parses; pub reads @file and stdin', async () => {
    const channel = uniq('events')
    const sub = await subscribed(['--json', '--count', '2', channel])
    const stdin = await run(cli, ['pub', '--url', server.url, '--codec', 'json', channel, '-'], {
      stdin: '{"from": "stdin"}\n',
    })
    expect(stdin.code).toBe(0)
    const raw = await run(cli, ['pub', '--url', server.url, '--codec', 'raw', channel, 'plain words'])
    expect(raw.code).toBe(0)
    const done = await sub.exited
    const records = done.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(records.map((r) => ({ ...r, time: typeof r.time }))).toEqual([
      { time: 'string', channel, pattern: null, size: 16, codec: 'json', data: { from: 'stdin' } },
      { time: 'string', channel, pattern: null, size: 11, codec: 'text', data: 'plain words' },
    ])
    expect(Number.isNaN(Date.parse(records[0].time))).toBe(false)
  })

  test('interop: redis-cli PUBLISH of plain text shows as text; --codec forces a decoding', async () => {
    const channel = uniq('chat')
    const sub = await subscribed([channel, '--count', '2'])
    expect(server.cli('PUBLISH', channel, 'hello from redis-cli')).toBe('1')
    expect(server.cli('PUBLISH', channel, '{"n": 1}')).toBe('1')
    const done = await sub.exited
    const lines = done.stdout.trim().split('\n')
    expect(lines[0]).toMatch(new RegExp(`  ${channel}  20 B  text  hello from redis-cli$`))
    expect(lines[1]).toMatch(/ {2}8 B {2}json {2}\{"n":1\}$/)
    const asHex = await subscribed([channel, '--count', '1', '--codec', 'hex'])
    server.cli('PUBLISH', channel, 'hi')
    expect((await asHex.exited).stdout).toMatch(/ {2}2 B {2}hex {2}6869\n$/)
  })

  test('monitor --once shows each channel with its count, rate and last payload', async () => {
    const prefix = uniq('mon')
    const monitor = start(cli, [
      'monitor',
      `${prefix}:*`,
      '--url',
      server.url,
      '--once',
      '--count',
      '3',
      '--interval',
      '20s',
    ])
    running.push(monitor)
    await monitor.waitFor('monitoring')
    server.cli('PUBLISH', `${prefix}:a`, 'first')
    server.cli('PUBLISH', `${prefix}:a`, 'second')
    server.cli('PUBLISH', `${prefix}:b`, '{"k": true}')
    const done = await monitor.exited
    expect(done.code).toBe(0)
    const lines = done.stdout.trim().split('\n')
    expect(lines[0]).toBe(`switchboard monitor ${prefix}:* on ${server.url} — 3 messages, 2 channels`)
    expect(lines[1]).toMatch(/^CHANNEL +MSGS +MSG\/S +LAST SIZE +CODEC +LAST PAYLOAD$/)
    expect(lines[2]).toMatch(new RegExp(`^${prefix}:a +2 +[0-9.]+ +6 B +text +second$`))
    expect(lines[3]).toMatch(new RegExp(`^${prefix}:b +1 +[0-9.]+ +11 B +json +\\{"k":true\\}$`))
  })

  test('call prints progress lines, then the result (exit 0)', async () => {
    const r = await run(cli, ['call', '--url', server.url, 'calc', 'count', '{"to": 3}'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('{\n  "counted": 3\n}\n')
    expect(r.stderr).toBe(
      'progress {"step":1,"of":3}\nprogress {"step":2,"of":3}\nprogress {"step":3,"of":3}\n',
    )
    const json = await run(cli, ['call', '--url', server.url, '--json', 'calc', 'add', '{"a": 2, "b": 40}'])
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ type: 'result', data: { sum: 42 } }])
  })

  test('call exits 1 on a remote error, 2 on a timeout and 3 with no responder', async () => {
    const [remote, timeout, none] = await Promise.all([
      run(cli, ['call', '--url', server.url, 'calc', 'divide', '{"a": 1, "b": 0}']),
      run(cli, ['call', '--url', server.url, 'calc', 'stall', '--timeout', '300ms']),
      run(cli, ['call', '--url', server.url, uniq('ghost'), 'anything']),
    ])
    expect(remote.code).toBe(EXIT_CODES.REMOTE_ERROR)
    expect(remote.stderr).toMatch(/^switchboard: calc\.divide answered with an error.*: division by zero\n$/)
    expect(timeout.code).toBe(EXIT_CODES.TIMEOUT)
    expect(timeout.stderr).toBe(
      'switchboard: no reply from calc.stall within 300 ms — is the service busy or stuck? raise --timeout to wait longer\n',
    )
    expect(none.code).toBe(EXIT_CODES.NO_RESPONDER)
    expect(none.stderr).toMatch(
      /^switchboard: no responder for ghost-.*\.anything: nothing is subscribed to "ghost-.*" — is the service running, and on this --url\?\n$/,
    )
  })

  test('demo runs the food-delivery story over Redis with --url', async () => {
    const r = await run(cli, ['demo', '--url', server.url])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Luigi's Trattoria on ${server.url.replaceAll('.', '\\.')}`))
    expect(r.stdout).toContain('Done: 27 deliveries')
  })
})
