import fc from 'fast-check'
import { keyOfBytes } from '../../src/transport/channel-key.js'
import { ReplyError, RespReader, type RespValue } from '../../src/transport/redis/resp-reader.js'
import { fuzzProperty, serveProperties } from './fuzz-properties.js'
import { chunks, cuts, mutated, randomBytes } from './mutate.js'

/**
 * The RESP reader's fuzz properties, run in a worker thread by resp-reader-fuzz.test.ts, so that a
 * reader that loops forever is stopped and reported instead of hanging the test run.
 */

/** What a reader is fed and what it hands over, as plain data to compare. */
type Out = unknown

const show = (value: RespValue): Out =>
  Array.isArray(value)
    ? value.map(show)
    : Buffer.isBuffer(value)
      ? { bulk: value.toString('hex') }
      : value instanceof ReplyError
        ? { error: value.message }
        : value

/** Feeds `parts` to a fresh reader; returns what came out, and the error feed() threw, if any. */
function feedAll(parts: readonly Buffer[], withPush: boolean): { out: Out[]; error: unknown } {
  const out: Out[] = []
  // Every reply takes three bytes at least: more replies than bytes means the reader went back.
  const most = parts.reduce((sum, part) => sum + part.length, 0) / 3
  const take = (value: Out): void => {
    if (out.length >= most) throw new Error(`more replies than the ${most * 3} bytes hold: the reader loops`)
    out.push(value)
  }
  const reader = new RespReader((value) => take(show(value)), {
    onPush: withPush
      ? (channel, payload, pattern) => take({ push: [channel, payload.toString('hex'), pattern] })
      : undefined,
  })
  try {
    for (const part of parts) reader.feed(part)
  } catch (error) {
    return { out, error }
  }
  return { out, error: undefined }
}

const NOT_RESP = /^(not a RESP2 reply|unexpected reply type)/

/** A RESP2 value and what the reader should make of it. */
interface Sample {
  wire: string
  out: Out
}

const line = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\r') && !s.includes('\n'))
const bulkBytes = fc.uint8Array({ maxLength: 24 })
const resp: fc.Arbitrary<Sample> = fc.letrec<{ value: Sample }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    line.map((s) => ({ wire: `+${s}\r\n`, out: Buffer.from(s).toString('utf8') })),
    line.map((s) => ({ wire: `-${s}\r\n`, out: { error: Buffer.from(s).toString('utf8') } })),
    fc.integer().map((n) => ({ wire: `:${n}\r\n`, out: n })),
    bulkBytes.map((b) => ({
      wire: `$${b.length}\r\n${Buffer.from(b).toString('latin1')}\r\n`,
      out: { bulk: Buffer.from(b).toString('hex') },
    })),
    fc.constantFrom({ wire: '$-1\r\n', out: null }, { wire: '*-1\r\n', out: null }),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => ({
      wire: `*${items.length}\r\n${items.map((i) => i.wire).join('')}`,
      out: items.map((i) => i.out),
    })),
  ),
})).value

const bulk = (b: Uint8Array) => `$${b.length}\r\n${Buffer.from(b).toString('latin1')}\r\n`
const push: fc.Arbitrary<Sample> = fc
  .tuple(bulkBytes, bulkBytes, fc.option(bulkBytes, { nil: undefined }))
  .map(([channel, payload, pattern]) => ({
    wire:
      pattern === undefined
        ? `*3\r\n$7\r\nmessage\r\n${bulk(channel)}${bulk(payload)}`
        : `*4\r\n$8\r\npmessage\r\n${bulk(pattern)}${bulk(channel)}${bulk(payload)}`,
    // Channel and pattern as keys: exact, whatever their bytes (channel-key.ts).
    out: {
      push: [
        keyOfBytes(channel),
        Buffer.from(payload).toString('hex'),
        pattern === undefined ? undefined : keyOfBytes(pattern),
      ],
    },
  }))
const stream = fc.array(fc.oneof(resp, push), { minLength: 1, maxLength: 8 })
const streamBytes = stream.map((samples) => Buffer.from(samples.map((s) => s.wire).join(''), 'latin1'))

const RESP_BYTES = [...'*$:+-\r\n0123456789'].map((c) => c.charCodeAt(0))

/**
 * Pieces of RESP, put together in any order: whole replies, the heads of message pushes, and
 * length and count lines of any size or sign, so that lengths that point backwards, past the
 * end or beyond what JavaScript can allocate turn up often.
 */
const length = fc.oneof(
  fc.integer({ min: -300, max: 300 }),
  fc.constantFrom(-1, 2 ** 31, 2 ** 32, 2 ** 32 - 1, 2 ** 53, -(2 ** 32)),
)
const piece = fc.oneof(
  fc.constantFrom(':1\r\n', '+OK\r\n', '-ERR x\r\n', '$-1\r\n', '*-1\r\n', '$0\r\n\r\n', '\r\n'),
  fc.constantFrom('*3\r\n$7\r\nmessage\r\n', '*4\r\n$8\r\npmessage\r\n', '$4\r\nnews\r\n'),
  length.map((n) => `$${n}\r\n`),
  length.map((n) => `*${n}\r\n`),
  line,
)
/**
 * A message push, after some replies, whose payload length may lie: the reader's fast path. Half
 * the time the length is negative and points back at the start of one of the replies before it.
 */
const lyingPush = fc
  .tuple(
    fc.array(fc.constantFrom(':1\r\n', '+OK\r\n', '$1\r\nx\r\n'), { minLength: 2, maxLength: 40 }),
    fc.oneof(length, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })),
    fc.boolean(),
  )
  .map(([replies, payload, pattern]) => {
    const before = replies.join('')
    const head = `${pattern ? '*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n' : '*3\r\n$7\r\nmessage\r\n'}$4\r\nnews\r\n`
    let back = payload
    if (!Number.isInteger(payload)) {
      // The push would resume 2 bytes after where the payload ends: make that a reply's start
      // (not the first: the end would be negative, which the reader already refused).
      const k = 1 + Math.floor(payload * (replies.length - 1))
      const target = replies.slice(0, k).join('').length
      const start = (digits: number) => before.length + head.length + digits + 3
      back = target - 2 - start(String(target - 2 - start(4)).length)
    }
    return Buffer.from(`${before}${head}$${back}\r\nhello\r\n:1\r\n`, 'latin1') as Uint8Array
  })

/** Bugs found before, always run first: each hung the reader or threw a RangeError. */
const FOUND: Array<[Uint8Array, number[], boolean]> = [
  [Buffer.from(`${':1\r\n'.repeat(50)}*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$-232\r\n`, 'latin1'), [], true],
  [Buffer.from('*4294967296\r\n', 'latin1'), [], false],
]
const soup = fc
  .array(piece, { maxLength: 60 })
  .map((pieces) => Buffer.from(pieces.join(''), 'latin1') as Uint8Array)

serveProperties({
  // feed() returns, or throws its own "not RESP2" error.
  'random and mutated bytes': fuzzProperty(
    fc.property(
      fc.oneof(randomBytes(RESP_BYTES), mutated(streamBytes), soup, mutated(soup), lyingPush),
      cuts,
      fc.boolean(),
      (bytes, points, withPush) => {
        for (const parts of [[Buffer.from(bytes)], chunks(bytes, points)]) {
          const { error } = feedAll(parts, withPush)
          if (error !== undefined && !(error instanceof Error && NOT_RESP.test(error.message))) throw error
        }
      },
    ),
    FOUND,
  ),
  // Whole or in chunks: every reply and push, in order.
  'valid streams': fuzzProperty(
    fc.property(stream, cuts, (samples, points) => {
      const bytes = Buffer.from(samples.map((s) => s.wire).join(''), 'latin1')
      const expected = JSON.stringify(samples.map((s) => s.out))
      for (const parts of [[bytes], chunks(bytes, points)]) {
        const { out, error } = feedAll(parts, true)
        if (error !== undefined) throw error
        if (JSON.stringify(out) !== expected)
          throw new Error(`read ${JSON.stringify(out)}, expected ${expected}`)
      }
    }),
  ),
})
