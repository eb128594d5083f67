#!/usr/bin/env node
import { run } from './program.js'

// `switchboard sub x | head -1`: once the reader is gone, stop quietly instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

// Exit once stdout has taken everything written to it, whatever handles are still open.
run(process.argv).then((code) => {
  process.stdout.write('', () => process.exit(code))
})
