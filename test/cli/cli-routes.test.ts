import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { run } from '../../src/cli/program.js'
import { connect } from '../../src/client/connect.js'
import { uniq, until } from '../helpers/wait.js'
import { argv, captureContext } from './capture.js'

/** Sign-up and inactivity (cancelled by activity); no deletion route. */
const GOOD = readFileSync(new URL('../hub/fixtures/onboarding.routes.yaml', import.meta.url), 'utf8').split(
  '  account.deleted:',
)[0] as string

const BAD = `routes:
  user.signed_up:
    - call: email.send_welcome
      retyr: { attempts: 5 }
  user.inactive:
    - call: notify.reminder
      after: 7 dayz
`

describe('switchboard routes check | explain', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-routes-'))
    await writeFile(join(dir, 'good.yaml'), GOOD)
    await writeFile(join(dir, 'bad.yaml'), BAD)
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('check: a good file says so (exit 0); a bad one prints every error with line, column and what to write (exit 5)', async () => {
    const good = captureContext({ cwd: dir })
    expect(await run(argv('routes', 'check', 'good.yaml'), good)).toBe(EXIT_CODES.OK)
    expect(good.out).toBe('good.yaml: 2 routes, 3 steps; 0 errors, 0 warnings\n')
    expect(good.err).toContain('give --url')

    const bad = captureContext({ cwd: dir })
    expect(await run(argv('routes', 'check', 'bad.yaml'), bad)).toBe(EXIT_CODES.BAD_INPUT)
    expect(bad.out).toBe(
      [
        'bad.yaml:4:7 error: unknown key "retyr" in a step',
        '  → did you mean retry?',
        'bad.yaml:7:14 error: after: "dayz" is not a unit of time',
        '  → did you mean 7 days?',
        'bad.yaml: 2 errors, 0 warnings',
        '',
      ].join('\n'),
    )

    const missing = captureContext({ cwd: dir })
    expect(await run(argv('routes', 'check', 'nope.yaml'), missing)).toBe(EXIT_CODES.BAD_INPUT)
    expect(missing.err).toContain('no such file')
  })

  test('check --url warns of an action the running service does not offer, naming those it does', async () => {
    const url = `memory://${uniq('routes-actions')}`
    const bus = await connect(url)
    try {
      const email = bus.service('email')
      email.action('send_welcome', () => 'ok')
      await email.start()
      const notify = bus.service('notify')
      notify.action('remind', () => 'ok')
      notify.action('digest', () => 'ok')
      await notify.start()
      const ctx = captureContext({ cwd: dir })
      expect(await run(argv('routes', 'check', 'good.yaml', '--url', url), ctx)).toBe(EXIT_CODES.OK)
      expect(ctx.out).toBe(
        [
          `good.yaml:9:7 warning: no running service offers notify.reminder: "notify" at ${url} has no action "reminder"`,
          '  → check the name; notify offers digest, remind',
          'good.yaml: 2 routes, 3 steps; 0 errors, 1 warning',
          '',
        ].join('\n'),
      )
    } finally {
      await bus.close()
    }
  })

  test('check --url warns of each called service nothing serves, where the step is', async () => {
    const url = `memory://${uniq('routes-check')}`
    const bus = await connect(url)
    try {
      const email = bus.service('email')
      email.action('send_welcome', () => 'ok')
      await email.start()
      const ctx = captureContext({ cwd: dir })
      expect(await run(argv('routes', 'check', 'good.yaml', '--url', url), ctx)).toBe(EXIT_CODES.OK)
      expect(ctx.out).toBe(
        [
          `good.yaml:9:7 warning: no running service offers notify.reminder: nothing listens on "notify" at ${url}`,
          '  → start the notify service, or check the name (services running there: see switchboard dashboard)',
          'good.yaml: 2 routes, 3 steps; 0 errors, 1 warning',
          '',
        ].join('\n'),
      )
    } finally {
      await bus.close()
    }
  })

  test('explain prints what an event would set off, step by step, and does nothing', async () => {
    const ctx = captureContext({ cwd: dir })
    const data = '{"user_id": 7, "plan": "free"}'
    expect(
      await run(argv('routes', 'explain', 'good.yaml', '--event', 'user.signed_up', '--data', data), ctx),
    ).toBe(0)
    expect(ctx.out).toBe(
      [
        'user.signed_up: 2 steps',
        '  1. call email.send_welcome (up to 5 attempts, exponential from 1s, 10s each): now, through the durable queue',
        '  2. skipped: plan is "free", not "pro"',
        '',
      ].join('\n'),
    )
    const cancel = captureContext({ cwd: dir })
    await run(
      argv('routes', 'explain', 'good.yaml', '--event', 'user.active', '--data', '{"user_id": 7}'),
      cancel,
    )
    expect(cancel.out).toBe(
      'user.active cancels user.inactive › call notify.reminder waiting for user_id = 7\n',
    )

    const bad = captureContext({ cwd: dir })
    expect(await run(argv('routes', 'explain', 'bad.yaml', '--event', 'user.signed_up'), bad)).toBe(
      EXIT_CODES.BAD_INPUT,
    )
    expect(bad.err).toContain('bad.yaml:4:7 error: unknown key "retyr" in a step')
    const json = captureContext({ cwd: dir })
    expect(await run(argv('routes', 'explain', 'good.yaml', '--event', 'x', '--data', '{nope'), json)).toBe(
      EXIT_CODES.BAD_INPUT,
    )
    expect(json.err).toContain('bad JSON')
  })
})

describe('switchboard hub', () => {
  test('runs a file: routes events, reloads on SIGHUP (refusing a bad version), prints stats on SIGUSR2 and at the end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-hub-'))
    const url = `memory://${uniq('cli-hub')}`
    const p = uniq('ev')
    const file = join(dir, 'routes.yaml')
    const version = (out: string) => `name: ${p}\nroutes:\n  ${p}.in:\n    - publish: ${p}.${out}\n`
    await writeFile(file, version('one'))
    const bus = await connect(url)
    const seen: string[] = []
    await bus.subscribe([`${p}.one`, `${p}.two`], (_data, msg) => {
      seen.push(msg.channel)
    })
    const ctx = captureContext({ cwd: dir })
    const running = run(argv('hub', 'routes.yaml', '--url', url, '--no-watch', '--no-stats'), ctx)
    try {
      await until(() => ctx.err.includes('SIGHUP reloads'), 'the hub to start')
      expect(ctx.err).toContain(`hub ${p}: 1 routes (${p}.in) on ${url}`)
      await bus.publish(`${p}.in`, { n: 1 })
      await until(() => seen.length === 1, 'the first event routed')

      await writeFile(file, version('two'))
      process.emit('SIGHUP')
      await until(() => ctx.err.includes('reloaded routes.yaml: 1 routes'), 'the reload')
      await bus.publish(`${p}.in`, { n: 2 })
      await until(() => seen.length === 2, 'the second event routed by the new version')
      expect(seen).toEqual([`${p}.one`, `${p}.two`])

      await writeFile(file, `${version('one')}      when: { n: { gte: many } }\n`)
      process.emit('SIGHUP')
      await until(() => ctx.err.includes('refused the new routes.yaml'), 'the bad version refused')
      expect(ctx.err).toContain('routes.yaml:5:25 error: gte compares numbers; got "many"')

      process.emit('SIGUSR2')
      await until(() => ctx.out.includes('route'), 'the stats')
      expect(ctx.out).toMatch(new RegExp(`${p}\\.in +2 +2 +0 +0 +0 +0 +0\\n`))
    } finally {
      ctx.interrupt()
      expect(await running).toBe(EXIT_CODES.OK)
      await bus.close()
      await rm(dir, { recursive: true, force: true })
    }
    expect(ctx.err).toContain('stopping: steps running now finish first')
  })

  test('a routes file with errors starts nothing: its errors, then exit 5', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-hub-'))
    await writeFile(join(dir, 'bad.yaml'), BAD)
    const ctx = captureContext({ cwd: dir })
    expect(await run(argv('hub', 'bad.yaml', '--url', `memory://${uniq('cli-hub')}`), ctx)).toBe(
      EXIT_CODES.BAD_INPUT,
    )
    expect(ctx.err).toContain('bad.yaml:7:14 error: after: "dayz" is not a unit of time')
    expect(ctx.err).toContain('bad.yaml has errors (2 errors, 0 warnings): nothing started')
    await rm(dir, { recursive: true, force: true })
  })
})
