import { test } from 'vitest'
import { fuzzWorker } from './fuzz-host.js'

// Whatever is published on a service or reply channel, the envelope decoders do not throw: they
// return what they read, or why they could not (see envelope.props.ts).
const fuzz = fuzzWorker('test/fuzz/envelope.props.ts')

test('decodeRequest on random, mutated and oddly-typed envelopes: a request or a reason, never a throw', () =>
  fuzz.run('request: any bytes'))

test('decodeResponse on the same: a response or a reason, never a throw', () =>
  fuzz.run('response: any bytes'))

test('every request encodeRequest writes, with NaN, bigint or TypedArray payloads, decodes', () =>
  fuzz.run('request: what is encoded decodes'))
