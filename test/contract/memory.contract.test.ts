import { beforeEach } from 'vitest'
import { MemoryTransport } from '../../src/transport/memory/memory-transport.js'
import { uniq } from '../helpers/wait.js'
import { runByteNamesContract } from './byte-names-contract.js'
import { runTransportContract } from './transport-contract.js'

// Each test gets its own broker, and the transports one test creates share it, as clients of one
// Redis server do. (A broker per transport would make every multi-client check see 0 receivers.)
let broker = ''
beforeEach(() => {
  broker = `contract-${uniq()}`
})

runTransportContract('memory', async () => new MemoryTransport(broker))
runByteNamesContract('memory', async () => new MemoryTransport(broker))
