import { describe, expect, it } from 'vitest'
import { killFilters } from '../../src/transport/redis/client-identity.js'

describe('killFilters (no server)', () => {
  const line =
    'id=42 addr=127.0.0.1:51234 laddr=127.0.0.1:6379 fd=8 name=switchboard:sub age=0 idle=0 flags=N db=0 sub=0 psub=0'

  it('names the connection by ID and ADDR together, from a CLIENT INFO line as text or bytes', () => {
    expect(killFilters(line)).toEqual(['ID', '42', 'ADDR', '127.0.0.1:51234'])
    expect(killFilters(Buffer.from(`${line}\n`))).toEqual(['ID', '42', 'ADDR', '127.0.0.1:51234'])
    // laddr is the server's own address, not the client's.
    expect(killFilters('laddr=10.0.0.1:6379 id=7 addr=[::1]:5000')).toEqual(['ID', '7', 'ADDR', '[::1]:5000'])
  })

  it('gives nothing it cannot name exactly: no CLIENT INFO (an error), or a line without both fields', () => {
    expect(killFilters(undefined)).toBeUndefined()
    expect(killFilters(new Error('ERR unknown subcommand'))).toBeUndefined()
    expect(killFilters('id=42 fd=8')).toBeUndefined()
    expect(killFilters('addr=127.0.0.1:1 fd=8')).toBeUndefined()
  })
})
