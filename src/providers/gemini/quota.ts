/** When Google's per-day quotas reset: midnight in Los Angeles (daylight-saving days included). */

const DAY_MS = 86_400_000;

/**
 * Made on first use: a time-zone formatter pulls ICU's zone data into memory (about 7 MB of
 * resident pages), which an idle gateway, or one that never calls Gemini's free tier, does not need.
 */
let pacific: Intl.DateTimeFormat | undefined;
const pacificFormatter = () =>
  (pacific ??= new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    hour12: false,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }));

/** Los Angeles wall-clock time at an instant, as if it were UTC (so the difference is the zone's offset). */
function pacificWallClock(ms: number): number {
  const p = Object.fromEntries(
    pacificFormatter()
      .formatToParts(new Date(ms))
      .map((x) => [x.type, Number(x.value)]),
  );
  // Some ICU versions write midnight as hour 24.
  return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']! % 24, p['minute']!, p['second']!) + (ms % 1000);
}

/** The next midnight in Los Angeles, when Google's per-day quotas reset (daylight-saving days included). */
export function nextPacificMidnight(now: number): number {
  const wall = pacificWallClock(now);
  const nextLocalMidnight = Math.floor(wall / DAY_MS) * DAY_MS + DAY_MS;
  // Convert with the offset in force at that midnight, which may differ from now's on a change day.
  let guess = nextLocalMidnight - (wall - now);
  guess -= pacificWallClock(guess) - nextLocalMidnight;
  return guess;
}
