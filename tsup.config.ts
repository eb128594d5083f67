import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  // stripInternal: what is marked @internal (constructors made by connect(), the members the
  // layers share) stays out of the published .d.ts; scripts/check-dts.mjs checks it.
  dts: { entry: { index: 'src/index.ts' }, compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CommonJS build: where optional peer dependencies are resolved from.
  shims: true,
})
