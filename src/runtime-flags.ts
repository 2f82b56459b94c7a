/**
 * The Node flags the start commands run the gateway with: `npm start`, the Docker image and the
 * Render blueprint (a test holds those files to this list), and the benchmark, which measures
 * Cerebro as it is deployed. (`cerebro start` runs with whatever flags its node has: the README
 * gives the NODE_OPTIONS to match.)
 *
 * `--max-semi-space-size=4` (MiB): on a machine with 2 GiB of memory or more, V8's semi-spaces
 * may grow to 16 MiB each while the modules load, and do not shrink afterwards. At 4 MiB an idle
 * gateway holds about 20 MB less resident memory, and one under load as much less, for the same
 * throughput in the benchmark: a request's garbage dies young either way (at 2 MiB the extra
 * scavenges cost about 5 %). Where memory is smaller V8's own default is smaller too (1 MiB at
 * 512 MiB), and this raises it to 4 MiB: a few MB more young generation for fewer scavenges.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** The production start command, from the package's folder. */
export const START_COMMAND = ['node', ...NODE_FLAGS, 'dist/src/main.js'].join(' ');
