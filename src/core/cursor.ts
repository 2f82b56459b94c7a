/** Page cursors: the last row's (time, key), opaque to callers (base64url of a JSON pair). */

export function encodeCursor(time: string, key: string): string {
  return Buffer.from(JSON.stringify([time, key])).toString('base64url');
}

/** The pair a cursor holds, or undefined for anything that is not one of ours. */
export function decodeCursor(cursor: string): [time: string, key: string] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // Not one of ours.
  }
  return undefined;
}
