import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ERROR_CODES,
  MalformedMessageError,
  NoResponderError,
  SubscriberError,
  SwitchboardError,
  TimeoutError,
} from '../src/errors.js'

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
})
