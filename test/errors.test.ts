import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ERROR_CODES,
  isWireErrorCode,
  MalformedMessageError,
  NoResponderError,
  RemoteError,
  SubscriberError,
  SwitchboardError,
  TimeoutError,
  WIRE_ERROR_CODES,
} from '../src/errors.js'
import { ERROR_LOG_LEVELS } from '../src/observe/error-log-levels.js'

describe('the error family', () => {
  it('every error is a SwitchboardError with a code from the catalogue, a name and a cause', () => {
    const cause = new Error('root')
    const errors = [
      new SubscriberError('orders', cause),
      new MalformedMessageError('bad bytes', { channel: 'c', bytes: new Uint8Array(100) }),
      new TimeoutError('timed out', 5000, { service: 's', action: 'a' }),
      new NoResponderError('svc', 'act'),
    ]
    for (const error of errors) {
      expect(error).toBeInstanceOf(SwitchboardError)
      expect(error).toBeInstanceOf(Error)
      expect(Object.keys(ERROR_CODES)).toContain(error.code)
      expect(error.name).toBe(error.constructor.name)
    }
    expect(errors[0]?.cause).toBe(cause)
    expect((errors[1] as MalformedMessageError).preview).toHaveLength(64)
  })

  it('the README documents every error code', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const code of Object.keys(ERROR_CODES))
      expect(readme, `README mentions ${code}`).toContain(`\`${code}\``)
  })

  it('every code has one log level, warn or error', () => {
    expect(Object.keys(ERROR_LOG_LEVELS).sort()).toEqual(Object.keys(ERROR_CODES).sort())
    for (const level of Object.values(ERROR_LOG_LEVELS)) expect(['warn', 'error']).toContain(level)
  })
})

describe('wire error codes', () => {
  it('are codes of the catalogue', () => {
    for (const code of WIRE_ERROR_CODES) expect(Object.keys(ERROR_CODES)).toContain(code)
    expect(isWireErrorCode('OVERLOADED')).toBe(true)
    expect(isWireErrorCode('TIMEOUT')).toBe(false)
    expect(isWireErrorCode(undefined)).toBe(false)
  })

  it("a RemoteError's code is the wire code it carries, else REMOTE; remoteCode is always the code as sent", () => {
    for (const code of WIRE_ERROR_CODES) {
      expect(new RemoteError('s', 'a', 'refused', code)).toMatchObject({ code, remoteCode: code })
    }
    expect(new RemoteError('s', 'a', 'disk full', 'E_DISK')).toMatchObject({
      code: 'REMOTE',
      remoteCode: 'E_DISK',
    })
    // A nested call's timeout, passed on by a handler, is not the caller's own timeout.
    expect(new RemoteError('s', 'a', 'timed out', 'TIMEOUT')).toMatchObject({
      code: 'REMOTE',
      remoteCode: 'TIMEOUT',
    })
    expect(new RemoteError('s', 'a', 'from Daebus')).toMatchObject({ code: 'REMOTE', remoteCode: undefined })
  })
})
