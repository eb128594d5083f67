import { test } from 'vitest'
import { fuzzWorker } from './fuzz-host.js'

// Every codec's decode, fed what an attacker or a broken peer could send, returns plain data (no
// RegExp, Set, Map, undefined, class instances) or throws MalformedMessageError; and what each
// codec writes, it reads back. Each property runs in a worker that is stopped if it hangs.
const fuzz = fuzzWorker('test/fuzz/codecs.props.ts')

test('msgpack: random and mutated bytes, numpy maps and msgpackr extensions', () =>
  fuzz.run('msgpack: random and mutated bytes'))

test('msgpack: reads back, as plain data, whatever it writes', () =>
  fuzz.run('msgpack: reads back what it writes'))

test('json: random and mutated bytes, Python text and Redis Toolkit tags', () =>
  fuzz.run('json: random and mutated bytes'))

test('json: any JSON text reads as JSON.parse reads it, on the fast path and the exact parser', () =>
  fuzz.run('json: reads JSON as JSON.parse does'))

test('json: reads back what it writes, NaN, infinities and bigints exactly', () =>
  fuzz.run('json: reads back what it writes'))

test('raw: any bytes come back as they are', () => fuzz.run('raw: gives back the bytes'))
