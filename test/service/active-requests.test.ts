import { describe, expect, test } from 'vitest'
import { type ActiveJob, ActiveRequests } from '../../src/service/active-requests.js'
import { Fingerprinter } from '../../src/service/fingerprint-set.js'
import { RequestContext } from '../../src/service/request-context.js'

const fingerprints = new Fingerprinter()

function job(replyTo: string | undefined, requestId: string): ActiveJob {
  const request = {
    action: 'echo',
    payload: null,
    replyTo,
    requestId,
    service: 'svc',
    deadline: undefined,
    headers: undefined,
  }
  const ctx = new RequestContext('svc', request, fingerprints, () => Promise.resolve(), 0)
  return { ctx, heldBy: undefined }
}

describe('ActiveRequests (pure)', () => {
  test('a copy (same reply channel and request_id) is refused while active and after it finished', () => {
    const table = new ActiveRequests<ActiveJob>(60_000, 100)
    const first = job('caller:a', '1')
    expect(table.admit(first, 0)).toBe(true)
    expect(table.admit(job('caller:a', '1'), 1)).toBe(false)
    expect(table.get('caller:a', '1')).toBe(first)
    table.forget(first)
    expect(table.size).toBe(0)
    expect(table.get('caller:a', '1')).toBeUndefined()
    expect(table.admit(job('caller:a', '1'), 2)).toBe(false)
  })

  test('two callers may use one request_id at once: each is found, and each copy refused', () => {
    const table = new ActiveRequests<ActiveJob>(60_000, 100)
    const a = job('caller:a', '7')
    const b = job('caller:b', '7')
    const fireAndForget = job(undefined, '7')
    expect(table.admit(a, 0)).toBe(true)
    expect(table.admit(b, 0)).toBe(true)
    expect(table.admit(fireAndForget, 0)).toBe(true)
    expect(table.size).toBe(3)
    expect(table.get('caller:b', '7')).toBe(b)
    expect(table.get(undefined, '7')).toBe(fireAndForget)
    expect(table.admit(job('caller:b', '7'), 1)).toBe(false)
    // With the first holder gone, the second is still found, and its copies still refused.
    table.forget(a)
    expect(table.get('caller:b', '7')).toBe(b)
    expect(table.admit(job('caller:b', '7'), 1)).toBe(false)
    table.forget(b)
    table.forget(b)
    table.forget(fireAndForget)
    expect(table.size).toBe(0)
    expect([...table.values()]).toEqual([])
  })

  test('a withdrawn request (it never ran) is not remembered: it may be sent again', () => {
    const table = new ActiveRequests<ActiveJob>(60_000, 100)
    const refused = job('caller:a', '9')
    expect(table.admit(refused, 0)).toBe(true)
    expect(table.withdraw(refused)).toBe(true)
    expect(table.withdraw(refused)).toBe(false)
    expect(table.admit(job('caller:a', '9'), 1)).toBe(true)
  })
})
