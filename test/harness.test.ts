import { describe, expect, it } from 'vitest'
import { redisRequirement } from './helpers/redis-server.js'

describe('the test harness', () => {
  it('runs the Redis suites where redis-server exists', () => {
    expect(redisRequirement(true, { CI: 'true' })).toBe('run')
  })

  it('skips them where it is missing, and fails instead under CI=true or SWITCHBOARD_REQUIRE_REDIS=1', () => {
    expect(redisRequirement(false, {})).toBe('skip')
    expect(redisRequirement(false, { CI: 'true' })).toBe('fail')
    expect(redisRequirement(false, { SWITCHBOARD_REQUIRE_REDIS: '1' })).toBe('fail')
  })
})
