import { connect } from 'node:net'
import { signalReady, stdinClosed } from '../lib/role-io.js'

export interface SinkParams {
  host: string
  port: number
  channel: string
}

/**
 * The subscriber attached while redis-benchmark measures the physical limit: a bare socket that
 * reads and discards, so that it never holds Redis back.
 */
export async function sinkRole(p: SinkParams): Promise<{ bytes: number }> {
  const socket = connect(p.port, p.host)
  let bytes = 0
  let subscribed = false
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (!subscribed && chunk.includes('subscribe')) {
      subscribed = true
      signalReady()
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(`SUBSCRIBE ${p.channel}\r\n`)
  await stdinClosed()
  socket.destroy()
  return { bytes }
}
