import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { run } from '../../src/cli/program.js'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { connect, type Logger } from '../../src/index.js'
import { deferred, uniq, until } from '../helpers/wait.js'
import { argv, captureContext } from './capture.js'

// The CLI in-process, on the embedded broker: what needs no second process, quickly.

const ESC = '\x1b'

/** For the service side: its late reply to a timed-out call is expected, not worth a log line. */
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }

const COMMANDS = ['pub', 'sub', 'monitor', 'call', 'bench', 'demo']

describe('help', () => {
  test.each(COMMANDS)('%s --help shows its arguments, --url and examples', async (command) => {
    const ctx = captureContext()
    expect(await run(argv(command, '--help'), ctx)).toBe(0)
    expect(ctx.out).toContain(`Usage: switchboard ${command}`)
    expect(ctx.out).toContain('--url <url>')
    expect(ctx.out).toContain('--debug')
    expect(ctx.out).toContain('Examples:')
    expect(ctx.out).toContain(`$ switchboard ${command}`)
  })

  test('switchboard --help lists every command and every exit code; no arguments shows it too', async () => {
    const ctx = captureContext()
    expect(await run(argv('--help'), ctx)).toBe(0)
    for (const command of COMMANDS) expect(ctx.out).toMatch(new RegExp(`\\n  ${command} `))
    for (const code of Object.values(EXIT_CODES)) expect(ctx.out).toMatch(new RegExp(`\\n +${code}  \\S`))
    const bare = captureContext()
    expect(await run(argv(), bare)).toBe(0)
    expect(bare.out).toBe(ctx.out)
  })
})

describe('usage errors', () => {
  test.each([
    [['pub', 'only-a-channel'], "missing required argument 'data'"],
    [['sub', '--bogus', 'x'], "unknown option '--bogus'"],
    [['sub', 'x', '--timeout', 'soon'], 'Give a duration such as 500 (milliseconds), 500ms, 2s or 1m.'],
    [['sub', 'x', '--count', '0'], 'Give a whole number of 1 or more.'],
    [['pub', '--codec', 'xml', 'x', '1'], 'Allowed choices are msgpack, json, raw'],
    [['demo', 'pizza'], 'unknown scenario "pizza" — choose one of: food-delivery,'],
  ])('%j exits 64 with one line: %s', async (args, message) => {
    const ctx = captureContext()
    expect(await run(argv(...args), ctx)).toBe(EXIT_CODES.USAGE)
    expect(ctx.err).toContain(message)
    expect(ctx.err.trim().split('\n')).toHaveLength(1)
  })
})

describe('bad input', () => {
  test('bad JSON in a file names the file and the line; a missing file says so; plain text suggests --codec raw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'))
    try {
      writeFileSync(join(dir, 'order.json'), '{\n  "id": 1,\n  "items": [1, 2,]\n}\n')
      const file = captureContext({ cwd: dir })
      expect(await run(argv('pub', '--url', 'memory://t', 'orders', '@order.json'), file)).toBe(
        EXIT_CODES.BAD_INPUT,
      )
      expect(file.err).toContain('bad JSON in file order.json at line 3, column 18')
      const missing = captureContext({ cwd: dir })
      expect(await run(argv('pub', '--url', 'memory://t', 'orders', '@nope.json'), missing)).toBe(
        EXIT_CODES.BAD_INPUT,
      )
      expect(missing.err).toBe(
        'switchboard: cannot read payload file nope.json: no such file — check the path\n',
      )
      const text = captureContext()
      expect(await run(argv('pub', '--url', 'memory://t', 'chat', 'hello'), text)).toBe(EXIT_CODES.BAD_INPUT)
      expect(text.err).toContain('to send plain text, use --codec raw')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('colour', () => {
  const failing = argv('pub', '--url', 'memory://t', 'x', '{bad')

  test('on a terminal errors are red; NO_COLOR (https://no-color.org) and --no-color turn it off', async () => {
    const tty = captureContext({ tty: true })
    await run(failing, tty)
    expect(tty.err.startsWith(`${ESC}[31mswitchboard:${ESC}[39m bad JSON`)).toBe(true)
    const noColor = captureContext({ tty: true, env: { NO_COLOR: '1' } })
    await run(failing, noColor)
    expect(noColor.err).toMatch(/^switchboard: bad JSON/)
    const flag = captureContext({ tty: true, env: { FORCE_COLOR: '1' } })
    await run([...failing, '--no-color'], flag)
    expect(flag.err).toMatch(/^switchboard: bad JSON/)
  })
})

describe('pub and sub on the embedded broker', () => {
  test('sub shows what pub sends, auto-detecting msgpack, json, text and hex; --count ends it', async () => {
    const url = `memory://${uniq('cli')}`
    const sub = captureContext()
    const subscribing = run(argv('sub', '--url', url, 'feed', 'feed:*', '--count', '5'), sub)
    await until(() => sub.err.includes('subscribed to feed, feed:*'), 'sub to subscribe')
    const pub = (...args: string[]) => run(argv('pub', '--url', url, ...args), captureContext())
    expect(await pub('feed', '{"a": [1, 2]}')).toBe(0)
    expect(await pub('--codec', 'json', 'feed:x', '"hi"')).toBe(0)
    expect(await pub('--codec', 'raw', 'feed', 'plain')).toBe(0)
    const bus = await connect({ url, codec: 'raw' })
    await bus.publish('feed', new Uint8Array([0xc1, 0x00, 0xff]))
    await bus.close()
    expect(await pub('feed', '"a string"')).toBe(0)
    expect(await subscribing).toBe(0)
    const shown = sub.out
      .trim()
      .split('\n')
      .map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} {2}/, ''))
    expect(shown).toEqual([
      `feed  ${msgpackCodec.encode({ a: [1, 2] }).byteLength} B  msgpack  {"a":[1,2]}`,
      'feed:x  via feed:*  4 B  json  "hi"',
      'feed  5 B  text  plain',
      'feed  3 B  hex  c100ff',
      'feed  9 B  msgpack  "a string"',
    ])
  })

  test('pub prints the receivers: 0 with a note on stderr; with --count, the deliveries summed over batches', async () => {
    const url = `memory://${uniq('cli')}`
    const none = captureContext()
    expect(await run(argv('pub', '--url', url, '--json', 'void', '1'), none)).toBe(0)
    expect(JSON.parse(none.out)).toEqual({
      channel: 'void',
      codec: 'msgpack',
      size: 1,
      count: 1,
      receivers: 0,
      deliveries: 0,
    })
    expect(none.err).toBe(`nobody is subscribed to void on ${url}: the message is gone\n`)
    const sub = captureContext()
    const subscribing = run(argv('sub', '--url', url, 'load', '--count', '2500', '--json'), sub)
    await until(() => sub.err.includes('subscribed to load'), 'sub to subscribe')
    const many = captureContext()
    expect(await run(argv('pub', '--url', url, '--count', '2500', 'load', '{"n": 1}'), many)).toBe(0)
    const size = msgpackCodec.encode({ n: 1 }).byteLength
    expect(many.out).toBe(`published 2500 messages to load (msgpack, ${size} B each): 2500 deliveries\n`)
    expect(await subscribing).toBe(0)
    expect(sub.out.trim().split('\n')).toHaveLength(2500)
  })

  test('sub --count with --timeout exits 2 when too few messages come', async () => {
    const ctx = captureContext()
    expect(
      await run(
        argv('sub', '--url', `memory://${uniq('cli')}`, 'quiet', '--count', '1', '--timeout', '30ms'),
        ctx,
      ),
    ).toBe(EXIT_CODES.TIMEOUT)
    expect(ctx.err).toMatch(
      /switchboard: timed out after 30ms: received 0 of 1 messages on quiet — is anything publishing there\?\n$/,
    )
  })

  test('sub output is coloured on a terminal or with FORCE_COLOR, and plain with NO_COLOR', async () => {
    const url = `memory://${uniq('cli')}`
    const contexts = [
      captureContext({ tty: true }),
      captureContext({ env: { FORCE_COLOR: '1' } }),
      captureContext({ tty: true, env: { NO_COLOR: '1' } }),
    ]
    const runs = contexts.map((ctx) => run(argv('sub', '--url', url, 'paint', '--count', '1'), ctx))
    await until(() => contexts.every((ctx) => ctx.err.includes('subscribed to paint')), 'subs to subscribe')
    await run(argv('pub', '--url', url, 'paint', '"x"'), captureContext())
    expect(await Promise.all(runs)).toEqual([0, 0, 0])
    expect(contexts[0]?.out).toContain(`${ESC}[36mpaint${ESC}[39m`)
    expect(contexts[1]?.out).toContain(`${ESC}[36mpaint${ESC}[39m`)
    expect(contexts[2]?.out).not.toContain(ESC)
  })

  test('sub --timeout without --count stops quietly; Ctrl-C stops it too', async () => {
    const url = `memory://${uniq('cli')}`
    const timed = captureContext()
    expect(await run(argv('sub', '--url', url, 'x', '--timeout', '50ms'), timed)).toBe(0)
    const interrupted = captureContext()
    const running = run(argv('sub', '--url', url, 'x'), interrupted)
    await until(() => interrupted.err.includes('subscribed to x'), 'sub to subscribe')
    interrupted.interrupt()
    expect(await running).toBe(0)
  })
})

describe('monitor', () => {
  test('on a terminal the table is redrawn in place, with rates and last payloads', async () => {
    const url = `memory://${uniq('cli')}`
    const ctx = captureContext({ tty: true, columns: 80 })
    const running = run(argv('monitor', '--url', url, '--interval', '30ms', '--no-color'), ctx)
    await until(() => ctx.err.includes('monitoring *'), 'monitor to subscribe')
    const bus = await connect({ url, codec: 'json' })
    await bus.publish('orders', { id: 1 })
    await bus.publish('orders', { id: 2 })
    await bus.publish('drivers', 'ready')
    // Two redraws after the messages: each moves the cursor up over the previous table.
    await until(
      () =>
        (ctx.out.match(new RegExp(`${ESC}\\[\\d+A\r${ESC}\\[J`, 'g')) ?? []).length >= 2 &&
        ctx.out.includes('{"id":2}'),
      'two redraws',
    )
    ctx.interrupt()
    expect(await running).toBe(0)
    await bus.close()
    expect(ctx.out.startsWith('\x1b[?25l')).toBe(true) // cursor hidden while drawing…
    expect(ctx.out.endsWith('\x1b[?25h')).toBe(true) // …and shown again
    const last = ctx.out.split(`${ESC}[J`).at(-1) as string
    expect(last).toMatch(/\norders +2 +[0-9.]+ +8 B +json +\{"id":2\}\n/)
    expect(last).toMatch(/\ndrivers +1 +[0-9.]+ +7 B +json +"ready"\n/)
    for (const line of last.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
  })

  test('without a terminal a new table is printed every interval', async () => {
    const url = `memory://${uniq('cli')}`
    const ctx = captureContext()
    const running = run(argv('monitor', '--url', url, '--interval', '20ms'), ctx)
    await until(() => ctx.err.includes('monitoring *'), 'monitor to subscribe')
    const bus = await connect({ url, codec: 'json' })
    await bus.publish('news', 'hello')
    await until(() => (ctx.out.match(/\nnews +1 /g) ?? []).length >= 2, 'two tables showing the message')
    ctx.interrupt()
    expect(await running).toBe(0)
    await bus.close()
    expect(ctx.out).not.toContain(ESC)
    expect(ctx.out).toMatch(
      /^switchboard monitor \* on memory:\/\/\S+ — 0 messages, 0 channels\n.*\n\(no messages yet\)\n\n/,
    )
  })

  test('--once --json prints one snapshot that parses', async () => {
    const url = `memory://${uniq('cli')}`
    const ctx = captureContext()
    const running = run(
      argv('monitor', 'a*', '--url', url, '--once', '--json', '--count', '2', '--interval', '10s'),
      ctx,
    )
    await until(() => ctx.err.includes('monitoring a*'), 'monitor to subscribe')
    const bus = await connect({ url, codec: 'json' })
    await bus.publish('b', 'not watched')
    await bus.publish('ab', [1])
    await bus.publish('ab', [2])
    expect(await running).toBe(0)
    await bus.close()
    const snapshot = JSON.parse(ctx.out)
    expect(snapshot.pattern).toBe('a*')
    expect(snapshot.channels).toHaveLength(1)
    expect(snapshot.channels[0]).toMatchObject({
      channel: 'ab',
      pattern: 'a*',
      messages: 2,
      lastCodec: 'json',
      lastPayload: '[2]',
    })
  })
})

describe('call on the embedded broker', () => {
  test('progress to stderr, result to stdout; exit 1, 2 and 3 for remote error, timeout, no responder', async () => {
    const url = `memory://${uniq('cli')}`
    const bus = await connect({ url, logger: silent })
    const app = bus.service('greeter')
    app.action('hello', async (payload, ctx) => {
      await ctx.progress('thinking')
      return `hello ${(payload as { name: string }).name}`
    })
    app.action('fail', async () => {
      throw new Error('no greeting today')
    })
    // Answers only once the test is over: the service's own deadline abort, which runs in this
    // same process, must not race the caller's timeout with a late answer.
    const slowAnswer = deferred<string>()
    app.action('slow', () => slowAnswer.promise)
    await app.start()
    try {
      const ok = captureContext()
      expect(await run(argv('call', '--url', url, 'greeter', 'hello', '{"name": "Ada"}'), ok)).toBe(0)
      expect(ok.out).toBe('"hello Ada"\n')
      expect(ok.err).toBe('progress "thinking"\n')
      const remote = captureContext()
      expect(await run(argv('call', '--url', url, 'greeter', 'fail'), remote)).toBe(EXIT_CODES.REMOTE_ERROR)
      expect(remote.err).toMatch(/^switchboard: greeter\.fail answered with an error.*: no greeting today\n$/)
      const slow = captureContext()
      expect(await run(argv('call', '--url', url, 'greeter', 'slow', '--timeout', '50ms'), slow)).toBe(
        EXIT_CODES.TIMEOUT,
      )
      const none = captureContext()
      expect(await run(argv('call', '--url', url, 'nobody', 'x'), none)).toBe(EXIT_CODES.NO_RESPONDER)
      const bad = captureContext()
      expect(await run(argv('call', '--url', url, 'greeter', 'hello', '{name: 1}'), bad)).toBe(
        EXIT_CODES.BAD_INPUT,
      )
      expect(bad.err).toContain('at line 1, column 2 (position 1): expected a property name in double quotes')
    } finally {
      slowAnswer.resolve('late')
      await bus.close()
    }
  })
})

describe('demo', () => {
  test('--list names every scenario with a line on what it shows', async () => {
    const ctx = captureContext()
    expect(await run(argv('demo', '--list'), ctx)).toBe(0)
    const names = ctx.out
      .trim()
      .split('\n')
      .map((line) => line.split(/ +/)[0])
    expect(names).toEqual([
      'food-delivery',
      'order-updates',
      'notifications',
      'chat-room',
      'game-events',
      'request-response',
      'publish-ack',
      'task-fanout',
      'signup-hub',
      'system-monitor',
      'process-data',
      'process-large-dataset',
      'register-user',
      'heartbeat',
      'user-lifecycle',
      'lifecycle-hub',
    ])
  })

  test('runs a Daebus scenario by name', async () => {
    const ctx = captureContext()
    expect(await run(argv('demo', 'system-monitor', '--url', `memory://${uniq('demo')}`), ctx)).toBe(0)
    expect(ctx.out).toMatch(/^system_monitor says: load /m)
  })

  test('runs another scenario by name', async () => {
    const ctx = captureContext()
    expect(await run(argv('demo', 'game-events', '--url', `memory://${uniq('demo')}`), ctx)).toBe(0)
    expect(ctx.out).toContain('game:42:score → 2 pattern matches')
  })
})
