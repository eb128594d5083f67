import { describe, expectTypeOf, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import type { ActionContext } from '../../src/service/action-context.js'

interface UserService {
  create_user: { payload: { name: string }; result: { id: number }; progress: { step: string } }
  ping: { payload: null; result: 'pong' }
}

declare const bus: Bus

describe('typed callers', () => {
  test('payload and result types come from the action map', () => {
    const users = bus.caller<UserService>('user_service')
    expectTypeOf(users.request('create_user', { name: 'ada' })).resolves.toEqualTypeOf<{ id: number }>()
    expectTypeOf(users.request('ping', null)).resolves.toEqualTypeOf<'pong'>()
    // @ts-expect-error: the payload of create_user needs a name
    void users.request('create_user', { nom: 'ada' })
    // @ts-expect-error: no such action
    void users.request('delete_user', {})
    void users.request(
      'create_user',
      { name: 'ada' },
      {
        onProgress: (p) => expectTypeOf(p).toEqualTypeOf<{ step: string }>(),
      },
    )
    expectTypeOf(users.stream('create_user', { name: 'ada' })).toMatchTypeOf<
      AsyncIterable<{ step: string } | { id: number }>
    >()
    // @ts-expect-error: send checks the payload too
    void users.send('ping', 'not null')
  })

  test('an untyped caller takes any action, and gives unknown', () => {
    const anything = bus.caller('whatever')
    expectTypeOf(anything.request('x', { any: 'thing' })).resolves.toBeUnknown()
  })
})

describe('typed services', () => {
  test('handlers get the declared payload and must return the declared result', () => {
    const app = bus.service<UserService>('user_service')
    app.action('create_user', (payload, ctx) => {
      expectTypeOf(payload).toEqualTypeOf<{ name: string }>()
      expectTypeOf(ctx).toEqualTypeOf<ActionContext<{ step: string }>>()
      return { id: 1 }
    })
    // @ts-expect-error: the result of ping is 'pong'
    app.action('ping', () => 'ping')
    // @ts-expect-error: progress values are checked
    app.action('create_user', async (_p, ctx) => ctx.progress({ stage: 1 }).then(() => ({ id: 1 })))
  })

  test('an untyped service takes the payload type its handler declares', () => {
    const app = bus.service('loose')
    app.action('sum', (p: { values: number[] }) => p.values.reduce((a, b) => a + b, 0))
    app.action('raw', (p) => expectTypeOf(p).toBeUnknown())
  })
})
