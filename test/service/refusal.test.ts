import { describe, expect, test } from 'vitest'
import type { RpcRequest } from '../../src/rpc/envelope.js'
import { type AdmissionState, refusalOf } from '../../src/service/refusal.js'

const request = (over: Partial<RpcRequest> = {}): RpcRequest =>
  ({ action: 'go', payload: {}, replyTo: 'caller:1', requestId: 'r1', service: 'svc', ...over }) as RpcRequest

const state = (over: Partial<AdmissionState> = {}): AdmissionState => ({
  service: 'svc',
  closed: false,
  stopping: false,
  hasAction: (action) => action === 'go',
  ...over,
})

describe('refusalOf (pure)', () => {
  test('admits a known action before its deadline', () => {
    expect(refusalOf(request({ deadline: 100 }), false, state(), 100)).toBeUndefined()
  })

  test('a stopped instance refuses everything, resendably', () => {
    expect(refusalOf(request(), true, state({ closed: true }), 0)).toMatchObject({
      code: 'CLOSED',
      resendable: true,
    })
  })

  test('a stopping instance sends on what reaches it with a reply channel, but runs what it claimed or what has none', () => {
    expect(refusalOf(request(), false, state({ stopping: true }), 0)).toMatchObject({
      code: 'CLOSED',
      resendable: true,
    })
    expect(refusalOf(request(), true, state({ stopping: true }), 0)).toBeUndefined()
    expect(refusalOf(request({ replyTo: undefined }), false, state({ stopping: true }), 0)).toBeUndefined()
  })

  test('a passed deadline, then an unknown action, are refused for good', () => {
    expect(refusalOf(request({ deadline: 100 }), false, state(), 101)).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      resendable: false,
    })
    expect(refusalOf(request({ action: 'nope' }), false, state(), 0)).toMatchObject({
      code: 'UNKNOWN_ACTION',
      resendable: false,
    })
  })
})
