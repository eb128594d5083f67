import { describe, expect, it } from 'vitest'
import { SlowConsumerError } from '../../src/errors.js'
import {
  judgeSubscriberDrop,
  parseInfo,
  RECENT_TRAFFIC_MS,
  slowConsumerError,
  snapshotFromInfo,
} from '../../src/transport/redis/slow-consumer.js'

const INFO_70 =
  '# Server\r\nredis_version:7.0.15\r\nrun_id:abc\r\ntcp_port:6379\r\n\r\n# Stats\r\ntotal_connections_received:4\r\n'
const INFO_74 = (n: number, runId = 'abc') =>
  `# Server\r\nrun_id:${runId}\r\n# Stats\r\nclient_output_buffer_limit_disconnections:${n}\r\nevicted_clients:0\r\n`

describe('INFO parsing', () => {
  it('reads key:value lines and skips section headers', () => {
    const fields = parseInfo(INFO_70)
    expect(fields.get('redis_version')).toBe('7.0.15')
    expect(fields.get('run_id')).toBe('abc')
    expect(fields.has('# Server')).toBe(false)
  })

  it('takes the run_id and the counter when the server has it', () => {
    expect(snapshotFromInfo(INFO_70)).toEqual({ runId: 'abc', outputBufferDisconnections: undefined })
    expect(snapshotFromInfo(INFO_74(3))).toEqual({ runId: 'abc', outputBufferDisconnections: 3 })
  })
})

describe('judgeSubscriberDrop', () => {
  it('confirms a slow consumer when the counter rose', () => {
    expect(judgeSubscriberDrop(snapshotFromInfo(INFO_74(3)), snapshotFromInfo(INFO_74(4)), 0)).toEqual({
      kind: 'confirmed',
      disconnections: 1,
    })
  })

  it('rules it out when the counter did not rise, however recent the traffic', () => {
    expect(judgeSubscriberDrop(snapshotFromInfo(INFO_74(3)), snapshotFromInfo(INFO_74(3)), 0).kind).toBe(
      'ruled-out',
    )
  })

  it('rules it out when the server restarted', () => {
    const verdict = judgeSubscriberDrop(snapshotFromInfo(INFO_74(3)), snapshotFromInfo(INFO_74(9, 'new')), 0)
    expect(verdict).toEqual({ kind: 'ruled-out', reason: expect.stringMatching(/restarted/) })
  })

  it('without the counter, calls a drop right after traffic likely, and a quiet one not', () => {
    const snap = snapshotFromInfo(INFO_70)
    expect(judgeSubscriberDrop(snap, snap, 5).kind).toBe('likely')
    expect(judgeSubscriberDrop(undefined, snap, 5).kind).toBe('likely')
    expect(judgeSubscriberDrop(snap, snap, RECENT_TRAFFIC_MS + 1).kind).toBe('ruled-out')
    expect(judgeSubscriberDrop(snap, snap, Number.POSITIVE_INFINITY).kind).toBe('ruled-out')
  })

  it('rules out a drop switchboard made itself (a silent link), however busy the link was', () => {
    const snap = snapshotFromInfo(INFO_70)
    expect(judgeSubscriberDrop(snap, snap, 0, 'server').kind).toBe('likely')
    expect(judgeSubscriberDrop(snap, undefined, 0, 'switchboard')).toEqual({
      kind: 'ruled-out',
      reason: expect.stringMatching(/switchboard dropped the link itself/),
    })
    // Even a counter that rose meanwhile (another client cut) does not make it a slow consumer.
    expect(
      judgeSubscriberDrop(snapshotFromInfo(INFO_74(3)), snapshotFromInfo(INFO_74(4)), 0, 'switchboard').kind,
    ).toBe('ruled-out')
  })

  it('rules out a drop the server could not be asked about: the server is away', () => {
    expect(judgeSubscriberDrop(snapshotFromInfo(INFO_70), undefined, 0).kind).toBe('ruled-out')
  })
})

describe('slowConsumerError', () => {
  it('says what happened and what to do', () => {
    const cause = new Error('Socket closed unexpectedly')
    const error = slowConsumerError('redis://h:1', { kind: 'confirmed', disconnections: 1 }, cause)
    expect(error).toBeInstanceOf(SlowConsumerError)
    expect(error.code).toBe('SLOW_CONSUMER')
    expect(error.cause).toBe(cause)
    expect(error.message).toMatch(/redis:\/\/h:1.*read too slowly.*client-output-buffer-limit pubsub/)
    expect(error.message).toMatch(
      /lost.*Consume faster.*CONFIG SET client-output-buffer-limit.*resubscribing/,
    )
  })

  it('says "most likely" when it cannot confirm', () => {
    expect(slowConsumerError('redis://h:1', { kind: 'likely' }).message).toMatch(/most likely.*CLIENT KILL/)
  })
})
