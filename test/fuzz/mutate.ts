import fc from 'fast-check'

/**
 * Arbitraries for fuzzing decoders: random bytes, and valid messages with a few bytes changed,
 * inserted, deleted or cut off, which reach far deeper into a decoder than random bytes do.
 */

interface Mutation {
  readonly kind: 'set' | 'insert' | 'delete' | 'truncate' | 'repeat'
  /** Where, as a fraction of the length. */
  readonly at: number
  readonly byte: number
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'insert', 'delete', 'truncate', 'repeat'),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  byte: fc.integer({ min: 0, max: 255 }),
})

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Array.from(bytes)
  for (const { kind, at, byte } of mutations) {
    const i = Math.floor(at * out.length)
    if (kind === 'set' && out.length > 0) out[i] = byte
    else if (kind === 'insert') out.splice(i, 0, byte)
    else if (kind === 'delete') out.splice(i, 1)
    else if (kind === 'truncate') out = out.slice(0, i)
    else if (kind === 'repeat') out.splice(i, 0, ...out.slice(i, i + 1 + (byte % 8)))
  }
  return Uint8Array.from(out)
}

/** `valid` with one to four mutations. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([bytes, m]) => mutate(bytes, m))
}

/** Random bytes, and runs of bytes drawn from `interesting` (a format's type and length bytes). */
export function randomBytes(interesting: readonly number[] = []): fc.Arbitrary<Uint8Array> {
  const picked = fc
    .array(
      fc.oneof(
        fc.constantFrom(...(interesting.length > 0 ? interesting : [0])),
        fc.integer({ min: 0, max: 255 }),
      ),
      {
        maxLength: 64,
      },
    )
    .map((items) => Uint8Array.from(items))
  return fc.oneof(fc.uint8Array({ maxLength: 256 }), picked)
}

/** Cut points for feeding bytes in chunks. */
export const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 })

/** `bytes` cut at `points` (fractions of its length), as Buffers, in order. */
export function chunks(bytes: Uint8Array, points: readonly number[]): Buffer[] {
  const at = [...new Set(points.map((p) => Math.floor(p * bytes.length)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let start = 0
  for (const end of [...at, bytes.length]) {
    if (end > start) out.push(Buffer.from(bytes.subarray(start, end)))
    start = Math.max(start, end)
  }
  return out
}
