import { defineConfig } from 'tsup'

// What the package ships (`npm pack`): the library as ESM and CommonJS with its types, and the CLI
// as ESM only (its bin is dist/cli.js; nothing requires it).
// No source maps: they would point at src/, which is not published. Run it through `npm run build`
// (scripts/build.mjs): it empties dist/ first (two builds writing into one folder cannot both clean
// it) and gives CommonJS its copy of the types, so the declarations are built once.

/**
 * The CLI carries its own copy of node-redis (@redis/client): loaded from node_modules it is ~450
 * files, and finding, reading and compiling them one by one was about a third of a `switchboard
 * pub` (issue 15 point 5; bench/README.md, section startup). The library keeps importing it, so
 * that an application shares one copy and takes node-redis's fixes without a switchboard release.
 * Its optional peers stay outside, looked up at run time as before.
 */
const CLI_BUNDLES = ['@redis/client']
const CLI_EXTERNAL = ['@opentelemetry/api', '@node-rs/xxhash', 'prom-client']

// node-redis is CommonJS: bundled into ESM, its require() of Node's modules needs a require.
const REQUIRE_SHIM = `import { createRequire as __switchboardCreateRequire } from 'node:module';
const require = __switchboardCreateRequire(import.meta.url);`

// Its licence asks for this notice in every copy.
const NODE_REDIS_NOTICE = `/*! Includes @redis/client (node-redis, https://github.com/redis/node-redis).
MIT License

Copyright (c) 2022-2025, Redis, inc.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
*/`

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    // stripInternal: what is marked @internal (constructors made by connect(), the members the
    // layers share) stays out of the published .d.ts; scripts/check-dts.mjs checks it.
    dts: { entry: { index: 'src/index.ts' }, compilerOptions: { stripInternal: true } },
    target: 'node20',
    // Node's `require` in the ESM build: where optional peer dependencies are resolved from.
    shims: true,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    shims: true,
    noExternal: CLI_BUNDLES,
    external: CLI_EXTERNAL,
    // Every file of this build: the chunks that hold node-redis are loaded only by a command that
    // connects to Redis, and any of them may.
    banner: { js: `${NODE_REDIS_NOTICE}\n${REQUIRE_SHIM}` },
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    target: 'node20',
    // import.meta.url in the CommonJS build, for the same reason.
    shims: true,
  },
])
