import { afterAll, beforeAll } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { RedisServer } from './redis-server.js'

/**
 * A disposable redis-server and a bus on it for the enclosing describe block: started before its
 * tests, closed after them. Read `server` and `bus` inside the tests.
 */
export function useRedisBus(): { readonly server: RedisServer; readonly bus: Bus } {
  const state = {} as { server: RedisServer; bus: Bus }
  beforeAll(async () => {
    state.server = await RedisServer.start()
    state.bus = await connect({ url: state.server.url })
  })
  afterAll(async () => {
    await state.bus?.close()
    await state.server?.stop()
  })
  return state
}
