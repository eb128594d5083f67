import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A throwaway CA and a server certificate it signed, valid for 127.0.0.1 and localhost. */
export interface TestCertificates {
  readonly dir: string
  readonly caFile: string
  readonly certFile: string
  readonly keyFile: string
  /** The CA certificate (PEM), to trust it: `tls: { ca }`. */
  readonly ca: string
  /** Deletes the directory, keys included. */
  remove(): void
}

/**
 * Makes the certificates with openssl in a temporary directory of their own, so that no key
 * outlives the test file that made it. EC keys, because they take milliseconds to make. The
 * server certificate may also serve as a client certificate (Redis replication and Sentinel
 * present it when they connect over TLS).
 */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-tls-'))
  const path = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(
    'req',
    '-x509',
    '-new',
    ...newKey,
    '-subj',
    '/CN=switchboard test CA',
    '-days',
    '2',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  )
  openssl(
    'req',
    '-new',
    ...newKey,
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
  )
  writeFileSync(
    path('server.ext'),
    [
      'subjectAltName = IP:127.0.0.1, DNS:localhost',
      'basicConstraints = CA:FALSE',
      'keyUsage = digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth, clientAuth',
      '',
    ].join('\n'),
  )
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.crt'),
  )
  return {
    dir,
    caFile: path('ca.crt'),
    certFile: path('server.crt'),
    keyFile: path('server.key'),
    ca: readFileSync(path('ca.crt'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
