/**
 * The worst a hostile message can cost to decode (`node bench/run.mjs decode-cost`): for each
 * shape below, one message as large as the default `maxPayloadBytes` is decoded in a fresh
 * process, and the table gives the time the event loop was blocked, the heap the decoded value
 * holds, and how far RSS peaked above where it stood before. A shape the codec refuses shows the
 * time it took to refuse. Prints only; asserts nothing.
 *
 *   node bench/run.mjs decode-cost                    # every shape, one process each
 *   node bench/run.mjs decode-cost -- --bytes 1048576 # another message size
 */
import { spawnSync } from 'node:child_process'
import { CONNECT_DEFAULTS } from '../src/client/connect-options.js'
import { jsonCodec } from '../src/codec/json.js'
import { msgpackCodec } from '../src/codec/msgpack.js'
import { COST } from '../src/codec/msgpack-check.js'
import { table } from './lib/stats.js'

type Shape = (size: number) => Buffer

/**
 * `dd <count>` then copies of `item`, each `values` msgpack values long: an array32 as long as
 * the size allows.
 */
function arrayOf(item: number[], size: number, tail: number[] = [], values = 1): Buffer {
  const count = Math.floor((size - 5 - tail.length) / item.length)
  const out = Buffer.alloc(5 + count * item.length + tail.length)
  out[0] = 0xdd
  out.writeUInt32BE(count * values + (tail.length > 0 ? 1 : 0), 1)
  const one = Buffer.from(item)
  for (let i = 0, at = 5; i < count; i++, at += item.length) one.copy(out, at)
  Buffer.from(tail).copy(out, 5 + count * item.length)
  return out
}

/** `token` (array32 or map32), a count of as many `unit`-byte parts as fit, then the parts. */
function counted(
  token: number,
  size: number,
  unit: number,
  write: (out: Buffer, at: number, i: number) => void,
): Buffer {
  const count = Math.floor((size - 5) / unit)
  const out = Buffer.alloc(5 + count * unit)
  out[0] = token
  out.writeUInt32BE(count, 1)
  for (let i = 0; i < count; i++) write(out, 5 + i * unit, i)
  return out
}

/** A 4-character key (base-64 digits of i) with a nil value: 6 bytes. */
function writeEntry(out: Buffer, at: number, i: number): void {
  out[at] = 0xa4
  for (let d = 0; d < 4; d++) out[at + 1 + d] = 0x30 + ((i >> (6 * d)) & 0x3f)
  out[at + 5] = 0xc0
}

/** A map32 of distinct short keys, each with a nil value. */
const wideMap: Shape = (size) => counted(0xdf, size, 6, writeEntry)

/** Maps of `keys` distinct 4-character keys each, in an array. */
function manyMaps(keys: number): Shape {
  return (size) =>
    counted(0xdd, size, 3 + keys * 6, (out, at) => {
      out[at] = 0xde
      out.writeUInt16BE(keys, at + 1)
      for (let i = 0; i < keys; i++) writeEntry(out, at + 3 + i * 6, i)
    })
}

/** 2-character strings, all different, so that none is a cached one. */
const shortStrings: Shape = (size) =>
  counted(0xdd, size, 3, (out, at, i) => {
    out[at] = 0xa2
    out[at + 1] = 0x21 + (i % 94)
    out[at + 2] = 0x21 + (Math.floor(i / 94) % 94)
  })

function nested(size: number): Buffer {
  const out = Buffer.alloc(size, 0x91)
  out[size - 1] = 0xc0
  return out
}

function jsonText(text: (count: number) => string, unit: number): Shape {
  return (size) => Buffer.from(text(Math.floor((size - 2) / unit)), 'utf8')
}

/**
 * `item` followed by as many zeros as make its cost half a unit per byte: the densest the budget
 * accepts (see costBudget in src/codec/msgpack-check.ts).
 */
const padded = (item: number[], cost: number): Shape => {
  const zeros = Math.max(0, cost * 2 - item.length)
  return (size) => arrayOf([...item, ...new Array<number>(zeros).fill(0)], size, [], 1 + zeros)
}

const MSGPACK: Record<string, Shape> = {
  'array of empty maps': (size) => arrayOf([0x80], size),
  'array of empty arrays': (size) => arrayOf([0x90], size),
  'nested arrays': nested,
  'array of nil': (size) => arrayOf([0xc0], size),
  'array of small ints': (size) => arrayOf([0x01], size),
  'array of float64': (size) => arrayOf([0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 1], size),
  'array of empty bin': (size) => arrayOf([0xc4, 0x00], size),
  'array of {"a": nil}': (size) => arrayOf([0x81, 0xa1, 0x61, 0xc0], size),
  'array of {b"a": nil} (bin keys)': (size) => arrayOf([0x81, 0xc4, 0x01, 0x61, 0xc0], size),
  'empty maps, one bin key at the end': (size) => arrayOf([0x80], size, [0x81, 0xc4, 0x01, 0x61, 0xc0]),
  'map with distinct keys': wideMap,
  'maps of 16,384 distinct keys': manyMaps(16_384),
  'maps of 64 distinct keys': manyMaps(64),
  'densest accepted: {} and zeros': padded([0x80], COST.map),
  'densest accepted: [] and zeros': padded([0x90], COST.array),
  'densest accepted: empty bin and zeros': padded([0xc4, 0x00], COST.bin),
  'densest accepted: 2-char strings': shortStrings,
  'densest accepted: timestamps and zeros': padded([0xd6, 0xff, 0, 0, 0, 0], COST.ext),
  'densest accepted: {"a": "bc"} and zeros': padded(
    [0x81, 0xa1, 0x61, 0xa2, 0x62, 0x63],
    COST.map + COST.entry + COST.string,
  ),
  'array of timestamps': (size) => arrayOf([0xd6, 0xff, 0, 0, 0, 0], size),
  'array of int64 beyond 2^53': (size) =>
    arrayOf([0xd3, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], size),
  'array of empty typed arrays (ext 0x74)': (size) => arrayOf([0xd4, 0x74, 0x00], size),
  'array of tiny bigints (ext 0x42)': (size) => arrayOf([0xd4, 0x42, 0x01], size),
  'array of empty Sets (ext 0x73)': (size) => arrayOf([0xd4, 0x73, 0x00, 0x90], size),
  'array of undefined (ext 0)': (size) => arrayOf([0xd4, 0x00, 0x00], size),
  'array of empty numpy arrays': (size) =>
    arrayOf(
      [
        0x85, 0xc4, 0x02, 0x6e, 0x64, 0xc3, 0xc4, 0x04, 0x74, 0x79, 0x70, 0x65, 0xa3, 0x7c, 0x75, 0x31, 0xc4,
        0x04, 0x6b, 0x69, 0x6e, 0x64, 0xc4, 0x00, 0xc4, 0x05, 0x73, 0x68, 0x61, 0x70, 0x65, 0x91, 0x00, 0xc4,
        0x04, 0x64, 0x61, 0x74, 0x61, 0xc4, 0x00,
      ],
      size,
    ),
  'one bin (a numpy-sized payload)': (size) => {
    const out = Buffer.alloc(size)
    out[0] = 0xc6
    out.writeUInt32BE(size - 5, 1)
    return out
  },
}

const JSON_SHAPES: Record<string, Shape> = {
  'array of empty objects': jsonText((n) => `[${'{},'.repeat(n - 1)}{}]`, 3),
  'array of zeros': jsonText((n) => `[${'0,'.repeat(n - 1)}0]`, 2),
  'nested arrays': jsonText((n) => `${'['.repeat(n)}${']'.repeat(n)}`, 2),
  'densest accepted: {} every 6 bytes': jsonText((n) => `[${'{}, 0,'.repeat(n - 1)}{}, 0]`, 6),
  'densest accepted: [] every 6 bytes': jsonText((n) => `[${'[], 0,'.repeat(n - 1)}[], 0]`, 6),
  'array of NaN': jsonText((n) => `[${'NaN,'.repeat(n - 1)}NaN]`, 4),
  'array of 20-digit integers': jsonText(
    (n) => `[${'12345678901234567890,'.repeat(n - 1)}12345678901234567890]`,
    21,
  ),
}

interface Result {
  shape: string
  codec: string
  outcome: string
  ms: number
  heapMB: number
  peakRssMB: number
}

function measure(codecName: string, shape: string, size: number): Result {
  const codec = codecName === 'json' ? jsonCodec : msgpackCodec
  const make = (codecName === 'json' ? JSON_SHAPES : MSGPACK)[shape]
  if (make === undefined) throw new Error(`no shape "${shape}"`)
  const bytes = make(size)
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
  gc()
  const before = process.memoryUsage()
  const rssBefore = before.rss
  const heapBefore = before.heapUsed + before.external
  let outcome = 'decoded'
  let value: unknown
  const start = performance.now()
  try {
    value = codec.decode(bytes)
  } catch (error) {
    outcome = `refused: ${error instanceof Error ? error.message.slice(0, 60) : String(error)}`
  }
  const ms = performance.now() - start
  const peakRss = process.resourceUsage().maxRSS * 1024
  gc()
  const after = process.memoryUsage()
  const held = after.heapUsed + after.external - heapBefore
  // Keep the value alive until after the heap was measured.
  if (value === bytes) outcome += '!'
  return {
    shape,
    codec: codecName,
    outcome,
    ms,
    heapMB: held / 2 ** 20,
    peakRssMB: Math.max(0, peakRss - rssBefore) / 2 ** 20,
  }
}

function main(): void {
  const args = process.argv.slice(2)
  const sizeAt = args.indexOf('--bytes')
  const size = sizeAt >= 0 ? Number(args[sizeAt + 1]) : CONNECT_DEFAULTS.maxPayloadBytes
  const child = args.indexOf('--child')
  if (child >= 0) {
    const [codecName = '', shape = ''] = args.slice(child + 1)
    process.stdout.write(JSON.stringify(measure(codecName, shape, size)))
    return
  }
  const script = process.argv[1] ?? ''
  const rows: string[][] = []
  const jobs = [
    ...Object.keys(MSGPACK).map((shape) => ['msgpack', shape]),
    ...Object.keys(JSON_SHAPES).map((shape) => ['json', shape]),
  ]
  for (const [codecName = '', shape = ''] of jobs) {
    const run = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=4096',
        script,
        '--bytes',
        String(size),
        '--child',
        codecName,
        shape,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    )
    if (run.status !== 0 || run.stdout === '') {
      rows.push([codecName, shape, `crashed (${run.signal ?? run.status})`, '', '', ''])
      continue
    }
    const r = JSON.parse(run.stdout) as Result
    rows.push([r.codec, r.shape, r.outcome, r.ms.toFixed(1), r.heapMB.toFixed(1), r.peakRssMB.toFixed(1)])
  }
  process.stdout.write(
    `decoding one ${(size / 2 ** 20).toFixed(2)} MiB message (node ${process.version})\n\n`,
  )
  process.stdout.write(
    `${table([['codec', 'shape', 'outcome', 'blocked ms', 'heap held MB', 'RSS peak +MB'], ...rows])}\n`,
  )
}

main()
