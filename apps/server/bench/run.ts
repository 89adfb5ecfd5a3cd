import { describeMachine, machineInfo } from './support/machine';
import { Interrupted } from './support/processes';

/** A benchmark: takes the arguments after its name; prints its figures, the last line one JSON object. */
type Bench = (argv: string[]) => Promise<void>;

/** One line per benchmark: a summary and a lazy import, so a bench loads only its own dependencies. */
const BENCHES: Readonly<Record<string, { summary: string; load: () => Promise<Bench> }>> = {
  http: {
    summary: 'mixed REST load on a cluster-mode server vs. a bare Fastify ceiling',
    load: async () => (await import('./http.bench')).runHttpBench,
  },
  realtime: {
    summary: 'Socket.IO driver pings and live deliveries vs. a bare Socket.IO + GEOADD baseline',
    load: async () => (await import('./realtime.bench')).runRealtimeBench,
  },
  data: {
    summary: 'generates 1M users (or --ten-million) via the admin API, then times admin lists and analytics',
    load: async () => (await import('./data.bench')).runDataBench,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(BENCHES).map((name) => name.length));
  const lines = Object.entries(BENCHES).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return `usage: npm run bench -- <name> [options]   (npm run bench -- <name> --help for its options)\n\nbenchmarks:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const bench = name === undefined ? undefined : BENCHES[name];
  if (bench === undefined) {
    process.stdout.write(usage());
    if (name !== undefined && name !== 'help' && name !== '--help') {
      process.stderr.write(`unknown benchmark "${name}"\n`);
      process.exitCode = 2;
    }
    return;
  }
  const run = await bench.load();
  if (!rest.includes('--help')) {
    process.stdout.write(`${describeMachine(machineInfo())}\n`);
  }
  await run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof Interrupted) {
    process.exitCode = 130;
    return;
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
