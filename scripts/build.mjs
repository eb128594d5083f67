// `npm run build`: the published dist/ from an empty folder (tsup.config.ts says what goes in).
// The CommonJS entry gets the same declarations as the ESM one, as index.d.cts: TypeScript wants
// the .d.cts beside index.cjs, and building the declarations twice would double the build time.
import { execFileSync } from 'node:child_process'
import { copyFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
process.chdir(root)
rmSync('dist', { recursive: true, force: true })
const tsupPackage = createRequire(import.meta.url).resolve('tsup/package.json')
execFileSync(process.execPath, [join(dirname(tsupPackage), 'dist', 'cli-default.js')], { stdio: 'inherit' })
copyFileSync('dist/index.d.ts', 'dist/index.d.cts')
