import { afterEach, beforeEach } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { uniq } from '../helpers/wait.js'
import { runTopicContract } from './topic-contract.js'

let broker = ''
const buses: Bus[] = []
beforeEach(() => {
  broker = `memory://durable-${uniq()}`
})
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()))
})

runTopicContract('memory', (options) => connect({ ...options, url: broker }), buses)
