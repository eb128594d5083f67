/**
 * The hash slot of a key or shard channel, as Redis Cluster computes it: CRC16 (XMODEM) of the
 * name, modulo 16384, where only the hash tag counts when the name has one (the part between
 * the first `{` and the next `}`, if not empty), so that names sharing a tag share a slot.
 */

export const SLOT_COUNT = 16384

const TABLE = new Uint16Array(256)
for (let byte = 0; byte < 256; byte++) {
  let crc = byte << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  TABLE[byte] = crc
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0
  for (let i = start; i < end; i++)
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number)
  return crc
}

/** The slot of a name given as UTF-8 bytes. */
function slotOfBytes(bytes: Uint8Array): number {
  let start = 0
  let end = bytes.length
  const open = bytes.indexOf(0x7b) // {
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1) // }
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  return crc16(bytes, start, end) % SLOT_COUNT
}

/**
 * The slot Redis Cluster serves `name` from. Every publish asks, so the hashed part is read from
 * the string's char codes while they are ASCII (their UTF-8 bytes), without making the bytes:
 * `{` and `}` are never part of a multi-byte character, so the tag is found the same way.
 */
export function keySlot(name: string): number {
  let start = 0
  let end = name.length
  const open = name.indexOf('{')
  if (open !== -1) {
    const close = name.indexOf('}', open + 1)
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  let crc = 0
  for (let i = start; i < end; i++) {
    const code = name.charCodeAt(i)
    if (code > 0x7f) return slotOfBytes(Buffer.from(name, 'utf8'))
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ code) & 0xff] as number)
  }
  return crc % SLOT_COUNT
}
