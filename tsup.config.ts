import { defineConfig } from 'tsup'

// What the package ships (`npm pack`): the library as ESM and CommonJS with its types, and the CLI
// as ESM only (its bin is dist/cli.js; nothing requires it), sharing the library's ESM chunks.
// No source maps: they would point at src/, which is not published. Run it through `npm run build`
// (scripts/build.mjs): it empties dist/ first (two builds writing into one folder cannot both clean
// it) and gives CommonJS its copy of the types, so the declarations are built once.

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
    format: ['esm'],
    // stripInternal: what is marked @internal (constructors made by connect(), the members the
    // layers share) stays out of the published .d.ts; scripts/check-dts.mjs checks it.
    dts: { entry: { index: 'src/index.ts' }, compilerOptions: { stripInternal: true } },
    target: 'node20',
    // Node's `require` in the ESM build: where optional peer dependencies are resolved from.
    shims: true,
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    target: 'node20',
    // import.meta.url in the CommonJS build, for the same reason.
    shims: true,
  },
])
