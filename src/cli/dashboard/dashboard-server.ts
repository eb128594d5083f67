import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CliError } from '../cli-error.js'
import { EXIT_CODES } from '../exit-codes.js'
import { PAGE_HTML, PAGE_SCRIPT, PAGE_STYLE } from './page.js'

/** The page's three files, served from memory: nothing to find on disk once bundled. */
const ASSETS: Record<string, { type: string; body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
  '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT },
  '/dashboard.css': { type: 'text/css; charset=utf-8', body: PAGE_STYLE },
}

/** The page runs only its own script and style: a channel name can never become markup or code. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

/** The bytes of the page as a browser loads it (HTML, script and style, uncompressed). */
export const PAGE_BYTES = Object.values(ASSETS).reduce((sum, a) => sum + Buffer.byteLength(a.body), 0)

/**
 * The dashboard's HTTP server: the page, and `/events`, a server-sent event stream with one
 * `state` event per broadcast. Bound to 127.0.0.1 unless told otherwise; on a loopback address it
 * answers only requests addressed to a loopback name, so a web page elsewhere cannot reach it
 * through DNS rebinding.
 */
export class DashboardServer {
  readonly #server: Server
  readonly #streams = new Set<ServerResponse>()
  readonly #current: () => string
  #loopbackOnly = true

  /** `current` gives the latest snapshot as JSON, sent to each page as it connects. */
  constructor(current: () => string) {
    this.#current = current
    this.#server = createServer((req, res) => this.#handle(req, res))
  }

  /** Listens; a port already taken is a CliError naming --port. Resolves to the page's URL. */
  listen(port: number, host: string): Promise<string> {
    this.#loopbackOnly = isLoopback(host)
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException): void => {
        reject(
          error.code === 'EADDRINUSE'
            ? new CliError(
                `port ${port} on ${host} is already in use (another dashboard?): choose a free one with --port`,
                EXIT_CODES.USAGE,
              )
            : new CliError(`cannot listen on ${host}:${port}: ${error.message}`, EXIT_CODES.USAGE),
        )
      }
      this.#server.once('error', failed)
      this.#server.listen(port, host, () => {
        this.#server.off('error', failed)
        const address = this.#server.address() as AddressInfo
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
        resolve(`http://${shownHost}:${address.port}/`)
      })
    })
  }

  /** Sends one snapshot to every open page. */
  broadcast(json: string): void {
    const event = `event: state\ndata: ${json}\n\n`
    for (const stream of this.#streams) stream.write(event)
  }

  async close(): Promise<void> {
    for (const stream of this.#streams) stream.end()
    this.#streams.clear()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.#loopbackOnly && !isLoopbackHost(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request: use http://127.0.0.1\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/events') {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream',
        connection: 'keep-alive',
      })
      res.write(`retry: 2000\nevent: state\ndata: ${this.#current()}\n\n`)
      this.#streams.add(res)
      req.on('close', () => this.#streams.delete(res))
      return
    }
    const asset = ASSETS[path]
    if (asset === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type })
    res.end(req.method === 'HEAD' ? undefined : asset.body)
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/** A Host header naming a loopback address, with any port. */
function isLoopbackHost(header: string | undefined): boolean {
  if (header === undefined) return false
  const name = header.startsWith('[') ? header.slice(1, header.indexOf(']')) : (header.split(':')[0] ?? '')
  return isLoopback(name)
}
