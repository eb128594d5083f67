import { addExtension, type Packr } from 'msgpackr'
import { NDArray, type NumericArray, type NumpyDtype } from './ndarray.js'
import { type NumpyLayout, numpyLayout } from './numpy-array.js'

/**
 * Makes msgpackr write TypedArrays and NDArrays as msgpack-numpy maps, and Uint8Arrays and
 * DataViews as bin.
 *
 * msgpackr keeps its extensions in one module-wide list, so this hook sees every Packr in the
 * process. It only changes Packrs passed to `enableNumpy`; for any other it writes exactly what
 * msgpackr's own typed-array extension would (ext 0x74 with `moreTypes`, else bin), except that
 * without `moreTypes` a wide array's bytes are copied instead of being truncated element by element.
 */
export function enableNumpy(packr: Packr): void {
  registerOnce()
  numpyPackrs.add(packr)
}

const numpyPackrs = new WeakSet<object>()

/** What msgpackr passes an extension's `pack`; its typings only describe the buffer-returning form. */
type Allocate = (size: number) => { target: Uint8Array; position: number }
type PackNested = (value: unknown) => void
interface RuntimeExtension {
  Class: abstract new (...args: never[]) => object
  type: number
  pack(this: unknown, value: never, allocate: Allocate, pack: PackNested): void
  unpack(data: Uint8Array): unknown
}

const TYPED_ARRAY_EXT = 0x74
// msgpackr's numbering of the typed arrays inside ext 0x74.
const TYPED_ARRAY_NAMES = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]

let registered = false
function registerOnce(): void {
  if (registered) return
  registered = true
  const TypedArray: abstract new () => NumericArray = Object.getPrototypeOf(Uint8Array)
  const extensions: RuntimeExtension[] = [
    { Class: TypedArray, type: TYPED_ARRAY_EXT, pack: packTypedArray, unpack: unpackTypedArrayExt },
    { Class: NDArray, type: TYPED_ARRAY_EXT, pack: packNDArray, unpack: unpackTypedArrayExt },
    { Class: DataView, type: TYPED_ARRAY_EXT, pack: packDataView, unpack: unpackTypedArrayExt },
  ]
  // Registering under 0x74 also replaces msgpackr's decoder for it, hence the identical unpack.
  for (const extension of extensions) addExtension(extension as unknown as Parameters<typeof addExtension>[0])
}

function packTypedArray(this: unknown, value: NumericArray, allocate: Allocate, pack: PackNested): void {
  if (!numpyPackrs.has(this as object)) packLikeMsgpackr(this, value, allocate)
  else if (value instanceof Uint8Array) writeBin(value, allocate)
  else writeNumpyMap(numpyLayout(value), allocate, pack)
}

/** Bin for a numpy Packr: without `moreTypes`, msgpackr would write an empty bin for a DataView. */
function packDataView(this: unknown, value: DataView, allocate: Allocate): void {
  const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (numpyPackrs.has(this as object)) writeBin(bytes, allocate)
  else if ((this as { moreTypes?: unknown } | undefined)?.moreTypes)
    writeTypedArrayExt(bytes, DATA_VIEW_CODE, allocate)
  else writeBin(new Uint8Array(0), allocate)
}

function packNDArray(this: unknown, value: NDArray, allocate: Allocate, pack: PackNested): void {
  if (numpyPackrs.has(this as object)) {
    writeNumpyMap(numpyLayout(value), allocate, pack)
  } else {
    allocate(0)
    pack({ shape: [...value.shape], data: value.data, dtype: value.dtype })
  }
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0))
const bin = (text: string): number[] => [0xc4, text.length, ...ascii(text)]

// Everything up to the shape value is fixed per dtype: msgpack-numpy's key order, bin keys.
const PREFIXES = new Map<NumpyDtype, Uint8Array>()
function prefixOf(dtype: NumpyDtype): Uint8Array {
  let prefix = PREFIXES.get(dtype)
  if (prefix === undefined) {
    const str = [0xa0 | dtype.length, ...ascii(dtype)]
    prefix = Uint8Array.from([
      0x85,
      ...bin('nd'),
      0xc3,
      ...bin('type'),
      ...str,
      ...bin('kind'),
      0xc4,
      0,
      ...bin('shape'),
    ])
    PREFIXES.set(dtype, prefix)
  }
  return prefix
}
const DATA_KEY = Uint8Array.from(ascii('data'))

function writeNumpyMap(layout: NumpyLayout, allocate: Allocate, pack: PackNested): void {
  const prefix = prefixOf(layout.dtype)
  const { target, position } = allocate(prefix.length)
  target.set(prefix, position)
  pack([...layout.shape])
  pack(DATA_KEY)
  pack(layout.bytes)
}

function writeBin(bytes: Uint8Array, allocate: Allocate): void {
  const length = bytes.byteLength
  const header = length < 0x100 ? 2 : length < 0x10000 ? 3 : 5
  const { target, position } = allocate(header + length)
  writeHeader(target, position, length, header, [0xc4, 0xc5, 0xc6])
  target.set(bytes, position + header)
}

function packLikeMsgpackr(packr: unknown, value: NumericArray, allocate: Allocate): void {
  const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  const moreTypes = (packr as { moreTypes?: unknown } | undefined)?.moreTypes
  if (!moreTypes || value.constructor === Buffer) writeBin(bytes, allocate)
  else writeTypedArrayExt(bytes, TYPED_ARRAY_NAMES.indexOf(value.constructor.name), allocate)
}

// msgpackr's code for a DataView inside ext 0x74.
const DATA_VIEW_CODE = 17

function writeTypedArrayExt(bytes: Uint8Array, code: number, allocate: Allocate): void {
  const length = bytes.length + 1
  const header = length < 0x100 ? 2 : length < 0x10000 ? 3 : 5
  const { target, position } = allocate(header + length + 1)
  writeHeader(target, position, length, header, [0xc7, 0xc8, 0xc9])
  target[position + header] = TYPED_ARRAY_EXT
  target[position + header + 1] = code & 0xff
  target.set(bytes, position + header + 2)
}

function writeHeader(target: Uint8Array, at: number, length: number, header: number, codes: number[]): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength)
  if (header === 2) {
    target[at] = codes[0] ?? 0
    target[at + 1] = length
  } else if (header === 3) {
    target[at] = codes[1] ?? 0
    view.setUint16(at + 1, length)
  } else {
    target[at] = codes[2] ?? 0
    view.setUint32(at + 1, length)
  }
}

const TYPED_ARRAY_CONSTRUCTORS: Record<string, new (buffer: ArrayBuffer) => unknown> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
}

/** msgpackr's own ext 0x74 decoder, reproduced because registering 0x74 replaces it. */
function unpackTypedArrayExt(data: Uint8Array): unknown {
  const code = data[0] ?? -1
  // A copy, never a view: Buffer#slice shares memory and the result must be aligned.
  const buffer = Uint8Array.prototype.slice.call(data, 1).buffer
  const name = TYPED_ARRAY_NAMES[code]
  if (name === undefined) {
    if (code === 16) return buffer
    if (code === 17) return new DataView(buffer)
    throw new Error(`Could not find typed array for code ${code}`)
  }
  const Constructor = TYPED_ARRAY_CONSTRUCTORS[name]
  if (Constructor === undefined) throw new Error(`Could not find typed array for code ${code}`)
  return new Constructor(buffer)
}
