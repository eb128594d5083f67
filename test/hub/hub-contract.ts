import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { HubStepError, InvalidArgumentError, RoutesError, type SwitchboardError } from '../../src/errors.js'
import { stepsTopicName } from '../../src/hub/hub.js'
import { collector, deferred, uniq, until, withTimeout } from '../helpers/wait.js'

/**
 * What a hub must do on any broker: `url()` names a fresh one (or the same Redis, with every
 * test's events, services and hub names its own).
 */
export function hubContract(label: string, url: () => string): void {
  describe(`hub: ${label}`, { timeout: 30_000 }, () => {
    const buses: Bus[] = []
    const dirs: string[] = []
    let broker = ''
    const open = async (): Promise<Bus> => {
      const bus = await connect(broker)
      buses.push(bus)
      return bus
    }
    /** A routes file in a folder of its own; `p` is this test's prefix, for events, services and the hub name. */
    const routesFile = async (text: string): Promise<string> => {
      const dir = await mkdtemp(join(tmpdir(), 'hub-test-'))
      dirs.push(dir)
      const file = join(dir, 'routes.yaml')
      await writeFile(file, text)
      return file
    }
    const errorsOf = (bus: Bus): SwitchboardError[] => {
      const errors: SwitchboardError[] = []
      bus.on('error', (error) => errors.push(error))
      return errors
    }

    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()))
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
    })

    it('two hubs running the same file route each event once, repeats included, and share the steps', async () => {
      broker = url()
      const p = uniq('two')
      const services = await open()
      const calls = collector<number>(20)
      const svc = services.service(`${p}-svc`)
      svc.action('handle', (data: { n: number }) => calls.push(data.n))
      await svc.start()
      const file = await routesFile(`name: ${p}\nroutes:\n  ${p}.event:\n    - call: ${p}-svc.handle\n`)
      const hubs = [
        await (await open()).hub(file, { watch: false }),
        await (await open()).hub(file, { watch: false }),
      ]
      const app = await open()
      // Byte-identical events among them: each repeat is an event of its own, routed once.
      for (let n = 0; n < 20; n++) await app.publish(`${p}.event`, { n: n % 5 })
      await withTimeout(calls.done, '20 calls')
      // Stopping a hub waits for the events it is routing and the steps it is running.
      await Promise.all(hubs.map((hub) => hub.stop()))
      expect(calls.items.sort((a, b) => a - b)).toEqual([...Array(20).keys()].map((n) => Math.floor(n / 4)))
      const stats = hubs.map((hub) => hub.stats()[`${p}.event`])
      expect((stats[0]?.matched ?? 0) + (stats[1]?.matched ?? 0)).toBe(20)
      expect((stats[0]?.done ?? 0) + (stats[1]?.done ?? 0)).toBe(20)
    })

    it('with two hubs, a step that keeps failing is tried its attempts and no more, then dead-lettered once', async () => {
      broker = url()
      const p = uniq('fail2')
      const services = await open()
      let calls = 0
      const svc = services.service(`${p}-svc`)
      svc.action('flaky', () => {
        calls += 1
        throw new Error('down for maintenance')
      })
      await svc.start()
      const file = await routesFile(
        `name: ${p}\nroutes:\n  ${p}.e:\n    - call: ${p}-svc.flaky\n      retry: { attempts: 3, backoff: fixed, first: 10ms }\n`,
      )
      const hubBuses = [await open(), await open()]
      const reported = hubBuses.map((bus) => errorsOf(bus))
      const hubs = await Promise.all(hubBuses.map((bus) => bus.hub(file, { watch: false })))
      for (let n = 0; n < 4; n++) await (await open()).publish(`${p}.e`, { n })
      const dead = services.topic(stepsTopicName(p)).deadLetters('hub')
      await until(async () => (await dead.list()).length === 4, 'the four failed steps dead-lettered', 10_000)
      await Promise.all(hubs.map((hub) => hub.stop()))
      expect(calls).toBe(12)
      const failed = hubs.map((hub) => hub.stats()[`${p}.e`]?.failed ?? 0)
      expect((failed[0] ?? 0) + (failed[1] ?? 0)).toBe(4)
      expect(reported.flat()).toHaveLength(4)
      // The reason, or a pointer to the report when the other hub sent it on to the dead letters.
      for (const letter of await dead.list())
        expect(letter.error).toMatch(
          new RegExp(
            `^route ${p}\\.e, step "call ${p}-svc\\.flaky" failed after 3 attempts: (REMOTE: down for maintenance|see the HubStepError the hub reported)$`,
          ),
        )
    })

    it('a step scheduled by a hub that stops runs under the hub that starts next: a restart loses nothing', async () => {
      broker = url()
      const p = uniq('restart')
      const services = await open()
      const reminded = deferred<unknown>()
      const svc = services.service(`${p}-notify`)
      svc.action('reminder', (data) => reminded.resolve(data))
      await svc.start()
      const file = await routesFile(
        `name: ${p}\nroutes:\n  ${p}.inactive:\n    - call: ${p}-notify.reminder\n      after: 400ms\n`,
      )
      const firstBus = await open()
      const first = await firstBus.hub(file, { watch: false, schedulerPollMs: 50 })
      await (await open()).publish(`${p}.inactive`, { user_id: 7 })
      await until(() => first.stats()[`${p}.inactive`]?.scheduled === 1, 'the step scheduled')
      await firstBus.close()
      const second = await (await open()).hub(file, { watch: false, schedulerPollMs: 50 })
      expect(await withTimeout(reminded.promise, 'the reminder, run by the second hub')).toEqual({
        user_id: 7,
      })
      await until(() => second.stats()[`${p}.inactive`]?.done === 1, 'the second hub to count it done')
    })

    it('a hub restarted routes a byte-identical repeat of an event its previous run routed, within eventClaimMs', async () => {
      broker = url()
      const p = uniq('again')
      const file = await routesFile(`name: ${p}\nroutes:\n  ${p}.user.active:\n    - publish: ${p}.out\n`)
      const options = { watch: false }
      const outs = collector<unknown>(2)
      await (await open()).subscribe(`${p}.out`, (data) => outs.push(data))
      const app = await open()
      const firstBus = await open()
      const first = await firstBus.hub(file, options)
      await app.publish(`${p}.user.active`, { user_id: 7 })
      await until(() => first.stats()[`${p}.user.active`]?.done === 1, 'the first run to route the event')
      await firstBus.close()
      // A restart takes longer than a claim's age is rounded to (a millisecond or two); in one
      // process on the embedded broker it can take less, so let that much pass.
      const closedAt = performance.now()
      await until(() => performance.now() - closedAt > 20, 'a restart to take as long as a real one')
      const second = await (await open()).hub(file, options)
      await app.publish(`${p}.user.active`, { user_id: 7 })
      await until(
        () => second.stats()[`${p}.user.active`]?.done === 1,
        'the restarted hub to route the repeat',
      )
      expect(second.stats()[`${p}.user.active`]).toMatchObject({ matched: 1, done: 1, failed: 0 })
      expect(await withTimeout(outs.done, 'both steps')).toEqual([{ user_id: 7 }, { user_id: 7 }])
    })

    it('a hub that joins after an event was routed shares its repeats: each routed once, not twice, not never', async () => {
      broker = url()
      const p = uniq('join')
      const file = await routesFile(
        `name: ${p}\nroutes:\n  ${p}.e:\n    - publish: ${p}.out\n  ${p}.mark:\n    - publish: ${p}.out\n`,
      )
      const options = { watch: false }
      const app = await open()
      const first = await (await open()).hub(file, options)
      const matched = (hub: typeof first, event = `${p}.e`) => hub.stats()[event]?.matched ?? 0
      await app.publish(`${p}.e`, { user_id: 7 })
      await until(() => matched(first) === 1, 'the first hub to route the event')
      const second = await (await open()).hub(file, options)
      await app.publish(`${p}.e`, { user_id: 7 })
      await until(() => matched(first) + matched(second) === 2, 'one of the two hubs to route the repeat')
      await first.stop()
      await app.publish(`${p}.e`, { user_id: 7 })
      // A hub routes events in the order they came: once the second routed the mark, it has
      // decided on every repeat before it.
      await app.publish(`${p}.mark`, {})
      await until(() => matched(second, `${p}.mark`) === 1, 'the second hub, now alone, to route the mark')
      expect(matched(first) + matched(second)).toBe(3)
    })

    it('a valid new version takes over for new events; a step already scheduled still runs; an invalid one is refused and the old one stays', async () => {
      broker = url()
      const p = uniq('reload')
      const services = await open()
      const outs: string[] = []
      const arrived = { count: 0 }
      await services.subscribe([`${p}.out1`, `${p}.out2`, `${p}.later`], (_data, msg) => {
        outs.push(msg.channel.slice(p.length + 1))
        arrived.count += 1
      })
      const version = (out: string, extra = '') =>
        `name: ${p}\nroutes:\n  ${p}.e:\n    - publish: ${p}.${out}\n${extra}`
      const file = await routesFile(
        version('out1', `  ${p}.slow:\n    - publish: ${p}.later\n      after: 300ms\n`),
      )
      const hubBus = await open()
      const hub = await hubBus.hub(file, { schedulerPollMs: 50 })
      const app = await open()
      await app.publish(`${p}.e`, {})
      await app.publish(`${p}.slow`, {})
      await until(
        () => arrived.count === 1 && hub.stats()[`${p}.slow`]?.scheduled === 1,
        'out1, and the step scheduled',
      )

      const reloaded = deferred<void>()
      hub.once('reloaded', () => reloaded.resolve())
      await writeFile(file, version('out2'))
      await withTimeout(reloaded.promise, 'the file reloaded on change')
      expect(hub.routes.routes.map((route) => route.event)).toEqual([`${p}.e`])
      await app.publish(`${p}.e`, {})
      await until(() => arrived.count === 3, `out2, and the step scheduled before the reload: ${outs}`)
      expect(outs.sort()).toEqual(['later', 'out1', 'out2'])

      const refused = deferred<RoutesError>()
      hub.once('refused', (error) => refused.resolve(error))
      await writeFile(file, `${version('out1')}    - publsh: x\n`)
      const error = await withTimeout(refused.promise, 'the invalid file refused')
      expect(error).toBeInstanceOf(RoutesError)
      expect(error.problems[0]).toMatchObject({
        line: 5,
        column: 7,
        message: 'unknown key "publsh" in a step',
      })
      await expect(hub.reload({ routes: { [`${p}.e`]: [{ call: 'nodot' }] } })).rejects.toThrow(RoutesError)
      await app.publish(`${p}.e`, {})
      await until(() => arrived.count === 4, 'the running version to route the next event')
      expect(outs.filter((o) => o === 'out2')).toHaveLength(2)
    })

    it('a step whose service is down, and data a condition cannot test, fail counted and named; the other steps go on', async () => {
      broker = url()
      const p = uniq('bad')
      const hubBus = await open()
      const errors = errorsOf(hubBus)
      const services = await open()
      const done = collector<unknown>(2)
      await services.subscribe(`${p}.ok`, (data) => done.push(data))
      const file = await routesFile(`name: ${p}
routes:
  ${p}.signed_up:
    - call: ${p}-nobody.welcome
      retry: { attempts: 2, backoff: fixed, first: 10ms }
    - publish: ${p}.big
      when: { seats: { gte: 10 } }
    - publish: ${p}.ok
`)
      const hub = await hubBus.hub(file, { watch: false })
      const app = await open()
      await app.publish(`${p}.signed_up`, { seats: 'many' })
      await app.publish(`${p}.signed_up`, { seats: 3 })
      await withTimeout(done.done, 'the step that works, for both events')
      await until(() => hub.stats()[`${p}.signed_up`]?.failed === 3, 'three failures counted')
      expect(hub.stats()[`${p}.signed_up`]).toEqual({
        matched: 2,
        done: 2,
        failed: 3,
        retried: 2,
        scheduled: 0,
        cancelled: 0,
        skipped: 1,
      })
      const messages = errors
        .filter((e) => e instanceof HubStepError)
        .map((e) => e.message)
        .sort()
      expect(messages).toEqual([
        `route ${p}.signed_up, step "call ${p}-nobody.welcome" failed after 2 attempts: NO_RESPONDER: no responder for ${p}-nobody.welcome: nothing is subscribed to "${p}-nobody"; is the service running?`,
        `route ${p}.signed_up, step "call ${p}-nobody.welcome" failed after 2 attempts: NO_RESPONDER: no responder for ${p}-nobody.welcome: nothing is subscribed to "${p}-nobody"; is the service running?`,
        `route ${p}.signed_up, step "publish ${p}.big" could not run: seats ≥ 10 needs a number; the event has "many"`,
      ])
      const [failure] = errors.filter((e) => e instanceof HubStepError)
      expect(failure).toMatchObject({ code: 'HUB_STEP', route: `${p}.signed_up` })
      // The steps that failed for good wait in the dead letters, for switchboard topic replay.
      const dead = hubBus.topic(stepsTopicName(p)).deadLetters('hub')
      await until(async () => (await dead.list()).length === 2, 'the two failed calls in the dead letters')
      expect((await dead.list()).map((letter) => [letter.error, letter.attempts])).toEqual([
        [messages[0], 2],
        [messages[0], 2],
      ])
    })

    it('a reminder is cancelled by its cancel event for the same user only, and rescheduled by a newer one', async () => {
      broker = url()
      const p = uniq('cancel')
      const services = await open()
      const reminded: number[] = []
      const svc = services.service(`${p}-notify`)
      svc.action('reminder', (data: { user_id: number }) => {
        reminded.push(data.user_id)
      })
      await svc.start()
      const file = await routesFile(`name: ${p}
routes:
  ${p}.inactive:
    - call: ${p}-notify.reminder
      after: 300ms
      cancel_on: { event: ${p}.active, match: user_id }
`)
      const hub = await (await open()).hub(file, { watch: false, schedulerPollMs: 50 })
      const app = await open()
      for (const user_id of [1, 2, 3]) await app.publish(`${p}.inactive`, { user_id })
      await app.publish(`${p}.active`, { user_id: 2 })
      // The same bytes again: a repeat is routed again (and replaces the reminder waiting).
      await app.publish(`${p}.inactive`, { user_id: 3 })
      await until(() => reminded.length === 2, 'the reminders of users 1 and 3')
      expect(reminded.sort()).toEqual([1, 3])
      await until(() => hub.stats()[`${p}.inactive`]?.done === 2, 'both counted')
      expect(hub.stats()[`${p}.inactive`]).toMatchObject({ matched: 4, scheduled: 4, cancelled: 1, done: 2 })
    })

    it('a routes file with errors is refused whole, before anything starts', async () => {
      broker = url()
      const bus = await open()
      const file = await routesFile('routes:\n  a:\n    - call: x.y\n      after: 7 dayz\n')
      const error = await bus.hub(file).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RoutesError)
      expect((error as RoutesError).message).toBe(
        `${file} has 1 error; the first, at line 4, column 14: after: "dayz" is not a unit of time (did you mean 7 days?)`,
      )
      await expect(bus.hub(join(tmpdir(), 'no-such-routes.yaml'))).rejects.toThrow(/no such file/)
      await expect(bus.hub(file, { concurrency: 0 })).rejects.toThrow(InvalidArgumentError)
      await expect(bus.hub(file, { eventClaimMs: -1 })).rejects.toThrow(/eventClaimMs/)
    })
  })
}
