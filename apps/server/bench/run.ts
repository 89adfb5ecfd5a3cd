import { describeMachine, machineInfo } from './support/machine';

/** A benchmark: takes the arguments after its name; sets process.exitCode itself on failure. */
type Bench = (argv: string[]) => Promise<void>;

/** One line per benchmark: its name and a lazy import, so a bench loads only its own dependencies. */
const BENCHES: Readonly<Record<string, () => Promise<Bench>>> = {
  http: async () => (await import('./http.bench')).runHttpBench,
};

const USAGE = `usage: npm run bench -- <name> [options]

benchmarks: ${Object.keys(BENCHES).join(', ')}

http options:
  --duration S     seconds per measured phase (default 20)
  --connections C  concurrent connections (default 100)
  --instances N    server processes on N ports, connections spread over them (default 1)
  --warmup S       unmeasured seconds before each phase (default 3)
  --profile        write a V8 CPU profile of each server process (--cpu-prof) under artifacts/bench/
`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : BENCHES[name];
  if (load === undefined) {
    process.stdout.write(USAGE);
    if (name !== undefined && name !== 'help' && name !== '--help') {
      process.stderr.write(`unknown benchmark "${name}"\n`);
      process.exitCode = 2;
    }
    return;
  }
  process.stdout.write(`${describeMachine(machineInfo())}\n`);
  const bench = await load();
  await bench(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
