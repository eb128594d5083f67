import { test } from 'vitest'
import { fuzzWorker } from './fuzz-host.js'

// The reader's loop runs on whatever a server sends; each property runs in a worker, which is
// stopped if it does not finish in time (see fuzz-host.ts).
const fuzz = fuzzWorker('test/fuzz/resp-reader.props.ts')

test('random, mutated and lying bytes: feed() returns or throws its own "not RESP2" error, never loops', () =>
  fuzz.run('random and mutated bytes'))

test('valid streams read the same, reply for reply and push for push, in any chunks', () =>
  fuzz.run('valid streams'))
