import { MalformedMessageError } from '../errors.js'
import { arrayFromNumpy, scalarFromNumpy } from './numpy-array.js'

const utf8 = new TextDecoder()

/**
 * Turns what msgpackr decodes with `mapsAsObjects: false` into plain values: Maps become plain
 * objects (as Python dicts do on the fast path) and msgpack-numpy maps become arrays. Only
 * messages with a bin or timestamp key take this path, because msgpackr refuses those when it
 * builds objects directly; msgpack-numpy's keys are bin. A timestamp key becomes its ISO string.
 */
export function fromMapTree(value: unknown): unknown {
  if (value instanceof Map) return fromMap(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromMapTree(value[i])
    return value
  }
  return value
}

function fromMap(map: Map<unknown, unknown>): unknown {
  const object: Record<string, unknown> = {}
  let binaryKeys = false
  for (const [rawKey, entry] of map) {
    if (rawKey instanceof Uint8Array) binaryKeys = true
    let key = keyOf(rawKey)
    // Same guard as msgpackr's object path, so both paths give the same object.
    if (key === '__proto__') key = '__proto_'
    object[key] = entry
  }
  if (binaryKeys && Object.hasOwn(object, 'nd')) return fromNumpyMap(object)
  for (const key in object) object[key] = fromMapTree(object[key])
  return object
}

function keyOf(key: unknown): string {
  if (typeof key === 'string') return key
  if (key instanceof Uint8Array) return utf8.decode(key)
  if (key instanceof Date) return key.toISOString()
  if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean' || key === null) {
    return String(key)
  }
  throw new MalformedMessageError(`a map key of type ${typeof key} cannot become an object property`)
}

const text = (value: unknown): unknown => (value instanceof Uint8Array ? utf8.decode(value) : value)

/** msgpack-numpy's `{nd, type, kind, shape, data}` (arrays) and `{nd: false, type, data}` (scalars). */
function fromNumpyMap(map: Record<string, unknown>): unknown {
  const type = text(map.type)
  const data = map.data
  if (typeof type !== 'string') throw new MalformedMessageError('numpy map has no dtype string')
  if (!(data instanceof Uint8Array)) throw new MalformedMessageError('numpy map data is not binary')
  if (map.nd === false) return scalarFromNumpy(type, data)
  if (map.nd !== true) throw new MalformedMessageError('numpy map "nd" is not a boolean')
  const kind = text(map.kind) ?? ''
  if (kind === 'O') throw new MalformedMessageError('numpy object arrays (pickled, kind "O") are refused')
  if (kind !== '') throw new MalformedMessageError(`numpy arrays of kind "${String(kind)}" are not supported`)
  return arrayFromNumpy(type, map.shape, data)
}
