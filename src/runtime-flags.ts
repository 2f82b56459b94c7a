/**
 * The Node flags the start commands run the gateway with: `npm start`, the Docker image and the
 * Render blueprint (a test holds those files to this list), and the benchmark. (`cerebro start` runs
 * with its node's flags: the README gives the NODE_OPTIONS to match.)
 *
 * `--max-semi-space-size=8` (MiB): under load the objects of the requests in flight otherwise survive
 * too many scavenges and are promoted, to be cleared later by a mark-compact. BENCHMARKS.md has the
 * measurements (throughput and peak RSS at 4, 8 and 16 MiB) and what it costs at start-up.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** The production start command, from the package's folder. */
export const START_COMMAND = ['node', ...NODE_FLAGS, 'dist/src/main.js'].join(' ');
