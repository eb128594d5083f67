import Module, { createRequire } from 'node:module'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { MissingDependencyError } from '../../src/errors.js'
import { openTelemetryTracing } from '../../src/observe/open-telemetry-tracing.js'
import { prometheusMetrics } from '../../src/observe/prometheus-metrics.js'
import { uniq } from '../helpers/wait.js'

type Load = (request: string, ...rest: unknown[]) => unknown
const internals = Module as unknown as { _load: Load }
const OPTIONAL = ['prom-client', '@opentelemetry/api']

/** The optional packages in the CommonJS module cache: loaded by anything, at import time included. */
function loadedOptional(): string[] {
  const cache = createRequire(import.meta.url).cache
  return Object.keys(cache).filter((file) =>
    /node_modules[\\/](prom-client|@opentelemetry[\\/]api)[\\/]/.test(file),
  )
}

/** What was asked of require() while the optional packages are made to look uninstalled. */
let asked: string[]
let realLoad: Load
beforeEach(() => {
  asked = []
  realLoad = internals._load
  internals._load = function (this: unknown, request, ...rest) {
    asked.push(request)
    if (OPTIONAL.includes(request)) {
      throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' })
    }
    return realLoad.call(this, request, ...rest)
  }
})
afterEach(() => {
  internals._load = realLoad
})

it('without prom-client and @opentelemetry/api installed, a bus publishes, subscribes and calls, and loads neither', async () => {
  // This file imported prometheus-metrics.ts and open-telemetry-tracing.ts: neither loads its package then.
  expect(loadedOptional()).toEqual([])
  const bus = await connect({ url: `memory://${uniq('optional')}` })
  try {
    const got = new Promise((resolve) => bus.subscribe('news', (data) => resolve(data)))
    await bus.publish('news', 'hello')
    expect(await got).toBe('hello')
    await bus
      .service('echo')
      .action('echo', (payload) => payload)
      .start()
    expect(await bus.caller('echo').request('echo', 42)).toBe(42)
  } finally {
    await bus.close()
  }
  expect(asked.filter((name) => OPTIONAL.includes(name))).toEqual([])
  expect(loadedOptional()).toEqual([])
})

it('asking for metrics or traces without their package throws MissingDependencyError with the npm command', () => {
  expect(() => prometheusMetrics()).toThrow(MissingDependencyError)
  expect(() => prometheusMetrics()).toThrow('run `npm install prom-client`')
  try {
    openTelemetryTracing()
    expect.unreachable()
  } catch (error) {
    expect(error).toBeInstanceOf(MissingDependencyError)
    expect(error).toMatchObject({ code: 'MISSING_DEPENDENCY', packageName: '@opentelemetry/api' })
    expect((error as Error).message).toContain('run `npm install @opentelemetry/api`')
  }
})

it('a package that is installed but fails to load is not mistaken for a missing one', () => {
  internals._load = function (this: unknown, request, ...rest) {
    if (request === 'prom-client') {
      // prom-client itself loads, but something it needs is missing: its error passes through.
      throw Object.assign(new Error("Cannot find module 'tdigest'"), { code: 'MODULE_NOT_FOUND' })
    }
    return realLoad.call(this, request, ...rest)
  }
  expect(() => prometheusMetrics()).toThrow("Cannot find module 'tdigest'")
})
