import { describe, expect, it } from 'vitest'
import { parseSwitchMaster } from '../../src/transport/redis/sentinel-watcher.js'

describe('parseSwitchMaster', () => {
  it('gives the new master of the watched name', () => {
    expect(parseSwitchMaster('mymaster 10.0.0.1 6379 10.0.0.2 6380', 'mymaster')).toEqual({
      host: '10.0.0.2',
      port: 6380,
    })
  })

  it('ignores other masters and malformed messages', () => {
    expect(parseSwitchMaster('other 10.0.0.1 6379 10.0.0.2 6380', 'mymaster')).toBeUndefined()
    expect(parseSwitchMaster('mymaster 10.0.0.1 6379', 'mymaster')).toBeUndefined()
    expect(parseSwitchMaster('', 'mymaster')).toBeUndefined()
  })
})
