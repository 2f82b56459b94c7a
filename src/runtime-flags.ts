/**
 * The Node flags the start commands run the gateway with: `npm start`, the Docker image and the
 * Render blueprint (a test holds those files to this list), and the benchmark, which measures
 * Cerebro as it is deployed. (`cerebro start` runs with whatever flags its node has: the README
 * gives the NODE_OPTIONS to match.)
 *
 * `--max-semi-space-size=8` (MiB). A request's garbage mostly dies young, but under load the
 * objects of the requests in flight survive a scavenge when it comes too often, and are copied,
 * then promoted to the old generation, which a mark-compact must clear later. At 8 MiB the bench
 * machine served 11 % more non-streaming and 27 % more streaming requests at c=50 than at 4 MiB,
 * with a lower peak RSS under load (142 against 210 MB) since less is promoted; 16 MiB (V8's
 * default on machines with 2 GiB or more) bought little more and peaked higher. The cost: the young
 * generation, which grows while the modules load, holds about 8 MB more for the first seconds,
 * until V8's memory reducer returns it (about 8 s after the process goes quiet; an idle gateway
 * settles at the same RSS either way). Where memory is smaller V8's default is smaller too (1 MiB
 * at 512 MiB), and this raises it; what that costs on such an instance has not been measured.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** The production start command, from the package's folder. */
export const START_COMMAND = ['node', ...NODE_FLAGS, 'dist/src/main.js'].join(' ');
