/** Command-line options of the suite: `npm run bench -- --quick --only publish,rpc`. */

export const SECTIONS = [
  'publish',
  'e2e',
  'latency',
  'rpc',
  'physical',
  'scale',
  'durable',
  'startup',
  'cluster',
  'observe',
] as const
export type Section = (typeof SECTIONS)[number]
/**
 * Sections run only when --only names them: `cluster` starts a Redis Cluster of its own, and
 * `observe` repeats the publish, rpc and durable rows three times.
 */
const OPT_IN: readonly Section[] = ['cluster', 'observe']

export interface BenchOptions {
  /** Runs per row; every row reports their median. @defaultValue 3 */
  runs: number
  /** Shorter phases and smaller counts (about a third of the time). */
  quick: boolean
  sections: Section[]
  /** Where the JSON results go. @defaultValue bench/results/latest.json */
  json: string
}

export const USAGE = `usage: npm run bench -- [--quick] [--runs N] [--only ${SECTIONS.join(',')}] [--json PATH]

  --quick        shorter phases and smaller counts (about 3 minutes instead of 6)
  --runs N       runs per row, 3 by default; every row is the median of its runs
  --only LIST    run only these sections (comma-separated); 'cluster' (1 node against a
                 3-primary cluster) and 'observe' (the cost of metrics and of tracing with no
                 SDK, as ratios) run only when named
  --json PATH    write results there (default bench/results/latest.json)

SWITCHBOARD_URL=redis://host:port uses that server instead of starting a redis-server.
BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the measuring processes
(BENCH_PROFILE_ROLE=regex limits it to some roles, e.g. "publish|e2e-sub").`

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const options: BenchOptions = {
    runs: 3,
    quick: false,
    sections: SECTIONS.filter((s) => !OPT_IN.includes(s)),
    json: 'bench/results/latest.json',
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`)
      return v
    }
    switch (arg) {
      case '--quick':
        options.quick = true
        break
      case '--runs': {
        const runs = Number(value())
        if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer\n${USAGE}`)
        options.runs = runs
        break
      }
      case '--only': {
        const list = value().split(',').filter(Boolean)
        const unknown = list.filter((s) => !(SECTIONS as readonly string[]).includes(s))
        if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}\n${USAGE}`)
        options.sections = list as Section[]
        break
      }
      case '--json':
        options.json = value()
        break
      case '--help':
      case '-h':
        return 'help'
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`)
    }
  }
  return options
}
