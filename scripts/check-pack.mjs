// `npm run check:pack`: the package as a consumer gets it. Builds and packs it, checks
// what the tarball holds, installs it into a fresh project with npm's cache (no registry needed once
// `npm install` has run here), then imports it as ESM and as CommonJS, type-checks a strict
// consumer of each, and runs the CLI. Prints the packed and unpacked sizes; exits 1 on a failure.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'switchboard-pack-'))
const failures = []
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures.push(what)
}
const run = (cmd, args, cwd, options = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options })

try {
  // The build that prepack would run, with its output shown; then pack what it built.
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
  const [packed] = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root),
  )
  const files = packed.files.map((f) => f.path).sort()
  console.log(
    `packed ${(packed.size / 1000).toFixed(1)} kB, unpacked ${(packed.unpackedSize / 1000).toFixed(1)} kB, ${files.length} files`,
  )
  const allowed = /^(dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/
  check(
    files.every((f) => allowed.test(f)),
    `only dist code, types and docs are shipped (${files.filter((f) => !allowed.test(f)).join(', ') || 'nothing else'})`,
  )
  check(!files.some((f) => f.endsWith('.map')), 'no source maps (they would point at unshipped sources)')
  check(!files.includes('dist/cli.cjs'), 'no CommonJS build of the CLI (its bin is dist/cli.js)')
  for (const f of [
    'LICENSE',
    'CHANGELOG.md',
    'README.md',
    'dist/index.js',
    'dist/index.cjs',
    'dist/index.d.ts',
    'dist/index.d.cts',
    'dist/cli.js',
  ])
    check(files.includes(f), `ships ${f}`)

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => pkg.scripts?.[s])
  check(
    lifecycle.length === 0,
    `no script runs when a consumer installs it (${lifecycle.join(', ') || 'none'})`,
  )
  check(pkg.scripts?.prepack === 'npm run build', 'npm pack and npm publish build dist/ first (prepack)')
  for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license', 'engines'])
    check(pkg[field] !== undefined, `package.json has ${field}`)

  // Every runtime dependency is used by the shipped code (imported by it, or named by its types).
  const shipped = files
    .filter((f) => f.startsWith('dist/'))
    .map((f) => readFileSync(join(root, f), 'utf8'))
    .join('\n')
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const used = new RegExp(`(from |require\\()["']${dep.replace('/', '\\/')}(/[^"']*)?["']`).test(shipped)
    check(used, `runtime dependency ${dep} is used by dist/`)
  }

  const app = join(work, 'app')
  execFileSync('mkdir', ['-p', app])
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
  const tarball = join(work, packed.filename)
  const installed = run(
    'npm',
    ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts'],
    app,
  )
  check(!/prepare|tsup/.test(installed), 'installing runs no build')

  const roundTrip = `
    const bus = await connect('memory://pack-check')
    const got = new Promise((resolve) => bus.subscribe('hello', (data) => resolve(data)))
    await bus.publish('hello', { n: 1 })
    const data = await got
    await bus.close()
    if (data.n !== 1) throw new Error('round trip failed')
    if (!(new SwitchboardError('CLOSED', 'x') instanceof Error)) throw new Error('errors broken')
    console.log('round trip ok')`
  writeFileSync(
    join(app, 'esm.mjs'),
    `import { connect, SwitchboardError } from 'switchboard'\n${roundTrip}\n`,
  )
  writeFileSync(
    join(app, 'cjs.cjs'),
    `const { connect, SwitchboardError } = require('switchboard')\n;(async () => {${roundTrip}\n})().catch((e) => { console.error(e); process.exit(1) })\n`,
  )
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    let out = ''
    try {
      out = run(process.execPath, [file], app)
    } catch (error) {
      out = `${error.stdout}${error.stderr}`
    }
    check(
      out.includes('round trip ok'),
      `${file === 'esm.mjs' ? 'import' : 'require'}('switchboard') publishes and receives${out.includes('round trip ok') ? '' : `: ${out.trim()}`}`,
    )
  }

  // A strict TypeScript consumer of each module kind resolves the shipped types.
  const typed = `import { connect, type Message } from 'switchboard'
interface Channels { orders: { id: number } }
export async function main(): Promise<void> {
  const bus = await connect<Channels>()
  await bus.subscribe('orders', (data, msg: Message<{ id: number }>) => console.log(data.id, msg.channel))
  // @ts-expect-error a wrong payload
  await bus.publish('orders', { id: 'one' })
}
`
  writeFileSync(join(app, 'typed.mts'), typed)
  writeFileSync(join(app, 'typed.cts'), typed)
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  for (const file of ['typed.mts', 'typed.cts']) {
    let out = ''
    try {
      out = run(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--target',
          'es2022',
          '--skipLibCheck',
          '--types',
          'node',
          '--typeRoots',
          join(root, 'node_modules', '@types'),
          file,
        ],
        app,
      )
    } catch (error) {
      out = `${error.stdout}${error.stderr}`
    }
    check(
      out.trim() === '',
      `a strict ${file.endsWith('mts') ? 'ESM' : 'CommonJS'} TypeScript consumer compiles${out.trim() ? `: ${out.trim()}` : ''}`,
    )
  }

  const bin = join(app, 'node_modules', '.bin', 'switchboard')
  check(run(bin, ['--version'], app).trim() === pkg.version, 'switchboard --version prints the version')
  check(
    run(bin, ['demo', '--list'], app).includes('system-monitor'),
    'switchboard demo --list lists the scenarios',
  )
  check(run(bin, ['demo', 'game-events'], app).includes('game:42:score'), 'switchboard demo runs a scenario')
  let bench = { status: 0, stderr: '' }
  try {
    run(bin, ['bench'], app)
  } catch (error) {
    bench = error
  }
  const lines = bench.stderr.trim().split('\n')
  check(
    bench.status === 6 && lines.length === 1 && /ships only with the source/.test(lines[0]),
    `switchboard bench says in one line that the suite ships with the source (exit ${bench.status}: ${bench.stderr.trim()})`,
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
if (failures.length > 0) {
  console.error(`\n${failures.length} check(s) failed`)
  process.exit(1)
}
