import { uniq } from '../helpers/wait.js'
import { hubContract } from './hub-contract.js'

hubContract('embedded broker', () => `memory://${uniq('hub')}`)
