import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a Redis server that sees what the client sends: each chunk it reads
 * from the client, and the PUBLISH commands in them. It can hold the replies back until the
 * client has sent a given number of PUBLISH commands, which only a client that sends them all
 * without waiting for a reply, in one round trip, gets past.
 */
export class CountingProxy {
  readonly port: number
  /** Chunks read from the client since the last reset(). */
  chunks: Buffer[] = []
  #server: Server
  #sockets = new Set<Socket>()
  #held: Array<{ to: Socket; data: Buffer }> = []
  #holdUntil = 0

  private constructor(server: Server, port: number) {
    this.#server = server
    this.port = port
  }

  static async start(upstreamPort: number): Promise<CountingProxy> {
    let proxy: CountingProxy | undefined
    const server = createServer((client) => {
      if (proxy) proxy.#pipe(client, upstreamPort)
      else client.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    proxy = new CountingProxy(server, typeof address === 'object' && address ? address.port : 0)
    return proxy
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** PUBLISH commands in the chunks since the last reset(). */
  get publishes(): number {
    return countPublishes(Buffer.concat(this.chunks))
  }

  reset(): void {
    this.chunks = []
  }

  /** Holds every reply until the client has sent `count` PUBLISH commands (counted from now). */
  holdRepliesUntilPublishes(count: number): void {
    this.reset()
    this.#holdUntil = count
  }

  #pipe(client: Socket, upstreamPort: number): void {
    const upstream = connect(upstreamPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      this.#sockets.add(s)
      s.on('error', () => s.destroy())
      s.on('close', () => this.#sockets.delete(s))
    }
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('data', (data: Buffer) => {
      this.chunks.push(data)
      upstream.write(data)
      if (this.#holdUntil > 0 && this.publishes >= this.#holdUntil) this.#release()
    })
    upstream.on('data', (data: Buffer) => {
      if (this.#holdUntil > 0) this.#held.push({ to: client, data })
      else client.write(data)
    })
  }

  #release(): void {
    this.#holdUntil = 0
    for (const { to, data } of this.#held.splice(0)) to.write(data)
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}

const PUBLISH = Buffer.from('\r\nPUBLISH\r\n')

function countPublishes(data: Buffer): number {
  let count = 0
  for (let at = data.indexOf(PUBLISH); at !== -1; at = data.indexOf(PUBLISH, at + PUBLISH.length)) count++
  return count
}
