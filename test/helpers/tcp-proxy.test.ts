import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeRedis, RedisServer } from './redis-server.js'
import { TcpProxy } from './tcp-proxy.js'
import { until, withTimeout } from './wait.js'

/** A raw client socket that records what it reads and whether it was closed. */
class RawClient {
  readonly socket: Socket
  received = ''
  closed = false
  readonly #opened: Promise<void>

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port })
    this.socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1')
    })
    this.socket.on('error', () => undefined)
    this.socket.on('close', () => {
      this.closed = true
    })
    this.#opened = new Promise((resolve) => this.socket.once('connect', () => resolve()))
  }

  async send(text: string): Promise<void> {
    await withTimeout(this.#opened, 'the TCP connect')
    this.socket.write(text)
  }

  waitFor(text: string, what: string): Promise<void> {
    return until(() => this.received.includes(text), what)
  }
}

/** An echo server that counts the connections it got. */
async function echoServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0
  const server = createServer((socket) => {
    connections += 1
    socket.on('error', () => undefined)
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { server, port, connections: () => connections }
}

describe('TcpProxy, in front of an echo server', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>
  let proxy: TcpProxy
  const clients: RawClient[] = []
  const open = (): RawClient => {
    const client = new RawClient(proxy.port)
    clients.push(client)
    return client
  }

  beforeEach(async () => {
    echo = await echoServer()
    proxy = await TcpProxy.start({ port: echo.port })
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy()
    await proxy.close()
    await new Promise<void>((resolve) => echo.server.close(() => resolve()))
  })

  it('forwards both ways', async () => {
    const client = open()
    await client.send('hello')
    await client.waitFor('hello', 'the echo')
    expect(proxy.accepted).toBe(1)
    expect(proxy.connections.map((c) => [c.state, c.greeting])).toEqual([['open', 'hello']])
  })

  it('freeze() silences existing connections without closing them; thaw() delivers what piled up', async () => {
    const frozen = open()
    await frozen.send('a')
    await frozen.waitFor('a', 'the first echo')
    expect(proxy.freeze()).toHaveLength(1)
    await frozen.send('b')
    // A connection made after the freeze is forwarded: once its echo is back, the frozen one's
    // would be too, had it been forwarded.
    const fresh = open()
    await fresh.send('c')
    await fresh.waitFor('c', 'the echo on a connection made after the freeze')
    expect(frozen.received).toBe('a')
    expect(frozen.closed).toBe(false)
    expect(proxy.connections.map((c) => c.state)).toEqual(['frozen', 'open'])

    proxy.thaw()
    await frozen.waitFor('ab', 'the echo held back by the freeze')
  })

  it('freeze(match) freezes only the connections whose greeting matches', async () => {
    const [a, b] = [open(), open()]
    await a.send('I am a;')
    await b.send('I am b;')
    await a.waitFor('I am a;', 'a')
    await b.waitFor('I am b;', 'b')
    expect(proxy.freeze((c) => c.greeting.startsWith('I am a')).map((c) => c.greeting)).toEqual(['I am a;'])
    await a.send('again')
    await b.send('again')
    await b.waitFor('again', 'the echo on the connection left alone')
    expect(a.received).toBe('I am a;')
  })

  it('blackhole(true) accepts new connections and never forwards them, even after blackhole(false)', async () => {
    proxy.blackhole(true)
    const lost = open()
    await lost.send('into the void')
    await until(() => proxy.blackholed === 1, 'the proxy to accept the connection')
    proxy.blackhole(false)
    const fresh = open()
    await fresh.send('back')
    await fresh.waitFor('back', 'the echo after the black hole')
    expect(lost.received).toBe('')
    expect(lost.closed).toBe(false)
    // The black-holed connection never reached the server.
    expect(echo.connections()).toBe(1)
    expect(proxy.connections.map((c) => [c.state, c.greeting])).toEqual([
      ['blackholed', 'into the void'],
      ['open', 'back'],
    ])
  })

  it('cut() destroys every connection, frozen and black-holed ones included', async () => {
    const frozen = open()
    await frozen.send('x')
    await frozen.waitFor('x', 'the echo')
    proxy.freeze()
    proxy.blackhole(true)
    const lost = open()
    await lost.send('y')
    await until(() => proxy.history[1]?.greeting === 'y', 'the black-holed connection to be read')
    proxy.cut()
    await until(() => frozen.closed && lost.closed, 'both clients to see the connection end')
    expect(proxy.connections).toEqual([])
    // The history keeps them, and which one the black hole took.
    expect(proxy.history.map((c) => [c.state, c.blackholed, c.greeting])).toEqual([
      ['closed', false, 'x'],
      ['closed', true, 'y'],
    ])
  })

  it('close() stops listening', async () => {
    const port = proxy.port
    await proxy.close()
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port })
      socket.once('connect', () => resolve('connected'))
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    })
    expect(refused).toBe('ECONNREFUSED')
    proxy = await TcpProxy.start({ port: echo.port })
  })
})

describeRedis('TcpProxy, in front of a redis-server', () => {
  let server: RedisServer
  let proxy: TcpProxy
  const clients: RawClient[] = []

  beforeEach(async () => {
    server = await RedisServer.start()
    proxy = await TcpProxy.start({ port: server.port })
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy()
    await proxy.close()
    await server.stop()
  })

  it('a PING goes unanswered while frozen, and is answered once thawed', async () => {
    const client = new RawClient(proxy.port)
    clients.push(client)
    await client.send('PING\r\n')
    await client.waitFor('+PONG\r\n', 'the first PONG')
    proxy.freeze()
    await client.send('ECHO frozen\r\n')
    const control = new RawClient(proxy.port)
    clients.push(control)
    await control.send('PING\r\n')
    await control.waitFor('+PONG\r\n', 'a PONG on a connection made after the freeze')
    expect(client.received).toBe('+PONG\r\n')
    proxy.thaw()
    await client.waitFor('$6\r\nfrozen\r\n', 'the reply held back by the freeze')
  })
})
