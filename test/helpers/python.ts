import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Python peers for the interop tests. Debian's python3-redis (and python3-msgpack) are used
 * (.ci/run installs them): /usr/bin/python3, not a pyenv python3 on PATH.
 */
const PYTHON = '/usr/bin/python3'
const SCRIPTS = fileURLToPath(new URL('../python/', import.meta.url))

/**
 * True when /usr/bin/python3 imports every module; otherwise warns that the tests needing them
 * are skipped (or, on CI, throws: there they must run).
 */
export function pythonWith(modules: string[], packages: string): boolean {
  try {
    execFileSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' })
    return true
  } catch {
    const line = `!!! ${PYTHON} with ${modules.join(', ')} not found: the Python interop tests are SKIPPED (apt-get install ${packages}) !!!`
    if (process.env.CI === 'true') throw new Error(line)
    console.warn(line)
    return false
  }
}

/** Runs test/python/<script>; `ready` resolves once it prints "ready". Killed after 20 s. */
export function runPython(script: string, args: string[]) {
  const child = spawn(PYTHON, [`${SCRIPTS}${script}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => {
      clearTimeout(killer)
      resolve({ code, stdout, stderr })
    })
  })
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (stdout.includes('ready')) resolve()
    })
    child.once('close', () => reject(new Error(`python exited before it was ready:\n${stdout}\n${stderr}`)))
  })
  // Only scripts that serve print "ready"; nobody awaits it for the others.
  ready.catch(() => {})
  return { child, exited, ready }
}
