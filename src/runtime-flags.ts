/**
 * The Node flags every start command runs the gateway with: `npm start`, the Docker image and the
 * Render blueprint (a test holds those files to this list), and the benchmark, which measures
 * Cerebro as it is deployed.
 *
 * `--max-semi-space-size=4`: V8's young generation grows to its 2 × 16 MB default while the
 * modules load and does not shrink afterwards. Capped at 2 × 4 MB, an idle gateway holds about
 * 20 MB less resident memory, and one under load as much less, for the same throughput in the
 * benchmark: a request's garbage dies young either way. At 2 MB the extra scavenges cost about 5 %.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** The production start command, from the package's folder. */
export const START_COMMAND = ['node', ...NODE_FLAGS, 'dist/src/main.js'].join(' ');
