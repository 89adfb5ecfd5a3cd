/**
 * V8 settings a cluster-mode server process runs with (ADR 0033), here so the
 * image's entry point, the forked workers of `--processes` and the benchmarks
 * start servers alike (a test checks the Dockerfile carries them).
 *
 * A young generation of 64 MB semi-spaces instead of V8's 16 MB: a process
 * serving 10,000 pings a second allocates ~200 MB a second, mostly short-lived;
 * with the default, a scavenge every ~60 ms caught every message still in
 * flight (Redis commands, socket frames) and promoted it, so nearly a third of the
 * process's time went to garbage collection and old-space garbage grew ~40 MB
 * a second between major collections.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** `execArgv` with every server flag it does not set itself (by the flag's name) added. */
export function withServerNodeFlags(execArgv: readonly string[]): string[] {
  const named = (flag: string) => flag.split('=')[0] ?? flag;
  const present = new Set(execArgv.map(named));
  return [...SERVER_NODE_FLAGS.filter((flag) => !present.has(named(flag))), ...execArgv];
}
