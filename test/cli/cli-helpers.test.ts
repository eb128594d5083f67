import { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { describeError } from '../../src/cli/cli-error.js'
import { detect } from '../../src/cli/detect.js'
import { EXIT_CODE_MEANINGS, EXIT_CODES } from '../../src/cli/exit-codes.js'
import { locateJsonError } from '../../src/cli/json-error.js'
import { MonitorTable, renderTable } from '../../src/cli/monitor-table.js'
import { parseCount, parseDuration } from '../../src/cli/parse-args.js'
import { parseJsonPayload, readPayload } from '../../src/cli/payload.js'
import { parseProgressLine, renderBar } from '../../src/cli/progress-bar.js'
import { toJsonable } from '../../src/cli/render.js'
import { createStyle, useColour } from '../../src/cli/style.js'
import { jsonCodec } from '../../src/codec/json.js'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import {
  ConnectionError,
  InvalidUrlError,
  NoResponderError,
  RemoteError,
  TimeoutError,
} from '../../src/errors.js'

describe('locateJsonError', () => {
  test.each([
    ['{"a": 1,}', 1, 9, "expected a property name in double quotes but found '}'"],
    ['[1, 2', 1, 6, "expected ',' or ']' but found the end of the input"],
    ['{\n  "a": tru\n}', 2, 11, "expected 'true' but found a line break"],
    ["{'a': 1}", 1, 2, "expected a property name in double quotes but found '''"],
    ['01', 1, 2, "expected the end of the input after the JSON value but found '1'"],
    [
      '"tab\there"',
      1,
      5,
      'expected no control character inside a string (escape it, e.g. \\n) but found a tab',
    ],
    [
      'hello',
      1,
      1,
      'expected a JSON value (object, array, "string", number, true, false or null) but found \'h\'',
    ],
    ['"\\x"', 1, 3, "expected an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX but found 'x'"],
    ['1.', 1, 3, 'expected a digit but found the end of the input'],
  ])('%j fails at line %i, column %i: %s', (text, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(locateJsonError(text)).toMatchObject({ line, column, reason })
  })

  test.each(['{"a": [1, -2.5e3, true, null, "\\u00e9\\n"]}', ' 42 ', '"x"', '[]', '{}'])(
    '%j is valid',
    (text) => {
      expect(() => JSON.parse(text)).not.toThrow()
      expect(locateJsonError(text)).toBeUndefined()
    },
  )
})

describe('payloads', () => {
  test('bad JSON names where; text that is not JSON at all suggests --codec raw', () => {
    expect(() => parseJsonPayload({ content: '{"a" 1}', origin: 'the argument' })).toThrow(
      "bad JSON in the argument at line 1, column 6 (position 5): expected ':' after the property name but found '1' — fix the JSON",
    )
    expect(() => parseJsonPayload({ content: 'hello world', origin: 'the argument' })).toThrow(
      `to send it as a JSON string, quote it ('"hello world"'); to send plain text, use --codec raw`,
    )
  })

  test('- reads standard input; a byte-order mark is skipped', async () => {
    const stdin = Readable.from([Buffer.from('\ufeff{"x": '), Buffer.from('[1]}')])
    const payload = await readPayload({ arg: '-', cwd: '/', stdin })
    expect(payload.origin).toBe('standard input')
    expect(parseJsonPayload(payload)).toEqual({ x: [1] })
  })
})

describe('detect', () => {
  test.each([
    ['JSON', 'json', jsonCodec.encode({ a: 1 }), { a: 1 }],
    ['a JSON number', 'json', new TextEncoder().encode('42'), 42],
    ['text', 'text', new TextEncoder().encode('hello world\n'), 'hello world\n'],
    ['text that starts like JSON', 'text', new TextEncoder().encode('{not json'), '{not json'],
    [
      'msgpack map',
      'msgpack',
      msgpackCodec.encode({ order: 1042, items: ['pizza'] }),
      { order: 1042, items: ['pizza'] },
    ],
    ['msgpack string', 'msgpack', msgpackCodec.encode('ciao'), 'ciao'],
    [
      'msgpack-numpy array',
      'msgpack',
      msgpackCodec.encode(new Float64Array([1.5, 2])),
      new Float64Array([1.5, 2]),
    ],
    ['bytes that are nothing', 'hex', new Uint8Array([0xc1, 0xff]), new Uint8Array([0xc1, 0xff])],
    ['truncated msgpack', 'hex', msgpackCodec.encode({ a: 'long enough' }).subarray(0, 5), undefined],
  ])('%s is shown as %s', (_what, as, bytes, value) => {
    const decoded = detect(bytes)
    expect(decoded.as).toBe(as)
    // (msgpackr tags the bytes it tried with a dataView property: compare the contents)
    if (value instanceof Uint8Array) expect([...(decoded.value as Uint8Array)]).toEqual([...value])
    else if (value !== undefined) expect(decoded.value).toEqual(value)
  })
})

describe('toJsonable', () => {
  test('bigint, bytes, TypedArrays, Date, Map and Set become plain JSON data', () => {
    expect(
      toJsonable({
        big: 2n ** 60n,
        small: 5n,
        bytes: new Uint8Array([104, 105]),
        floats: new Float32Array([0.5]),
        when: new Date('2026-01-02T03:04:05.000Z'),
        map: new Map([[1, 'one']]),
        set: new Set(['x']),
        nd: { shape: [1, 2], data: new Int32Array([7, 8]) },
      }),
    ).toEqual({
      big: '1152921504606846976',
      small: 5,
      bytes: { $base64: 'aGk=' },
      floats: [0.5],
      when: '2026-01-02T03:04:05.000Z',
      map: { 1: 'one' },
      set: ['x'],
      nd: { shape: [1, 2], data: [7, 8] },
    })
  })
})

describe('durations and counts', () => {
  test.each([
    ['500', 500],
    ['500ms', 500],
    ['2s', 2000],
    ['1.5m', 90_000],
    ['1h', 3_600_000],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  test.each(['', 'soon', '-1s', '0', '5 days'])('%j is refused', (text) =>
    expect(() => parseDuration(text)).toThrow(),
  )
  test.each(['0', '-3', '1.5', 'x'])('count %j is refused', (text) =>
    expect(() => parseCount(text)).toThrow(),
  )
})

describe('colour', () => {
  test.each([
    [{}, true, undefined, true],
    [{}, false, undefined, false],
    [{}, undefined, undefined, false],
    [{ NO_COLOR: '1' }, true, undefined, false],
    [{ NO_COLOR: '' }, true, undefined, true],
    [{ FORCE_COLOR: '1' }, false, undefined, true],
    [{ FORCE_COLOR: '0' }, true, undefined, true],
    [{ FORCE_COLOR: '0' }, false, undefined, false],
    [{ FORCE_COLOR: '1', NO_COLOR: 'yes' }, true, undefined, false],
    [{ FORCE_COLOR: '1' }, true, false, false],
  ])('env %j, tty %s, flag %s → %s', (env, isTTY, flag, expected) => {
    expect(useColour({ env, isTTY, flag })).toBe(expected)
  })

  test('without colour, styles are the identity', () => {
    expect(createStyle(false).red('x')).toBe('x')
    expect(createStyle(true).red('x')).toBe('\x1b[31mx\x1b[39m')
  })
})

describe('describeError', () => {
  test('each failure is one line with the exit code that documents it', () => {
    const refused = new ConnectionError('connect on redis://h:1 failed', {
      url: 'redis://h:1',
      cause: new AggregateError([
        Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' }),
      ]),
    })
    expect(describeError(refused)).toEqual({
      message: 'cannot connect to redis://h:1: connection refused — is redis-server running?',
      exitCode: EXIT_CODES.CONNECTION,
    })
    const auth = new ConnectionError('x', {
      url: 'redis://h:1',
      cause: new Error('WRONGPASS invalid username-password pair'),
    })
    expect(describeError(auth).message).toBe(
      'cannot connect to redis://h:1: authentication failed — check the user and password in the URL',
    )
    const dns = new ConnectionError('x', {
      url: 'redis://nohost:1',
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND nohost'), { code: 'ENOTFOUND' }),
    })
    expect(describeError(dns).message).toBe(
      'cannot connect to redis://nohost:1: host not found — check the host name in the URL',
    )
    expect(describeError(new RemoteError('svc', 'act', 'boom', 'E_BAD')).exitCode).toBe(
      EXIT_CODES.REMOTE_ERROR,
    )
    expect(describeError(new RemoteError('svc', 'act', 'boom', 'E_BAD')).message).toBe(
      'svc.act answered with an error [E_BAD]: boom',
    )
    expect(describeError(new TimeoutError('t', 250, { service: 's', action: 'a' })).exitCode).toBe(
      EXIT_CODES.TIMEOUT,
    )
    expect(describeError(new NoResponderError('s', 'a')).exitCode).toBe(EXIT_CODES.NO_RESPONDER)
    expect(describeError(new InvalidUrlError('ftp://x', 'unknown scheme')).exitCode).toBe(EXIT_CODES.USAGE)
    const bug = describeError(new TypeError('x is not a function'))
    expect(bug).toEqual({
      message: 'unexpected error: x is not a function — rerun with --debug and report the trace',
      exitCode: EXIT_CODES.INTERNAL,
    })
  })

  test('every exit code has a meaning', () => {
    expect(
      Object.keys(EXIT_CODE_MEANINGS)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Object.values(EXIT_CODES).sort((a, b) => a - b))
  })
})

describe('monitor table', () => {
  test('counts per channel, rates over the window, busiest first, the last payload decoded', () => {
    const table = new MonitorTable(0)
    for (let i = 0; i < 10; i += 1) table.record('busy', jsonCodec.encode({ i }), '*', 100 * i)
    table.record('quiet', msgpackCodec.encode('hello'), '*', 500)
    const rows = table.snapshot(1000)
    expect(rows.map((r) => [r.channel, r.messages, r.rate, r.lastCodec, r.lastPayload])).toEqual([
      ['busy', 10, 10, 'json', '{"i":9}'],
      ['quiet', 1, 1, 'msgpack', '"hello"'],
    ])
    // A new window: no messages since, so the rate drops to 0 but the totals stay.
    expect(table.snapshot(2000).map((r) => [r.channel, r.messages, r.rate])).toEqual([
      ['busy', 10, 0],
      ['quiet', 1, 0],
    ])
  })

  test('lines never exceed the width; extra channels are summed up', () => {
    const table = new MonitorTable(0)
    for (const name of ['a', 'b', 'c', 'd'])
      table.record(`channel-${name}`, new TextEncoder().encode('x'.repeat(500)), '*', 1)
    const lines = renderTable(table.snapshot(1000), {
      width: 60,
      maxRows: 2,
      style: createStyle(false),
      title: 'title',
    })
    expect(lines).toHaveLength(5)
    expect(lines[4]).toBe('… and 2 more channels (2 messages)')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60)
    expect(lines[2]).toMatch(/x…$/)
  })
})

describe('bench progress', () => {
  test('::progress lines are parsed; others are not', () => {
    expect(parseProgressLine('::progress 3/12 pubsub fan-out')).toEqual({
      done: 3,
      total: 12,
      label: 'pubsub fan-out',
    })
    expect(parseProgressLine('::progress 13/12')).toEqual({ done: 12, total: 12, label: '' })
    expect(parseProgressLine('| 3/12 |')).toBeUndefined()
    expect(parseProgressLine('::progress 1/0 x')).toBeUndefined()
  })

  test('the bar fills in proportion and fits the width', () => {
    expect(renderBar({ done: 1, total: 4, label: 'rpc' }, 80, true)).toBe(
      '[########------------------------]  1/4  rpc'.replace(
        '[########------------------------]',
        `[${'#'.repeat(8)}${'-'.repeat(22)}]`,
      ),
    )
    expect(
      renderBar({ done: 4, total: 4, label: 'a very long label '.repeat(5) }, 40).length,
    ).toBeLessThanOrEqual(40)
  })
})
