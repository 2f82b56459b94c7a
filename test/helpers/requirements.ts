/**
 * What a suite needs from outside the repository (a Postgres, the providers' spec files, server
 * binaries). Missing outside CI, the suite is skipped with one line saying what is missing and how to
 * provide it; under CI=true it fails instead, so CI can never pass by skipping.
 */
import { it } from 'node:test';

export const IN_CI = process.env.CI === 'true';

/** Options for `describe`: skipped with the reason outside CI when something is missing. */
export function needs(missing: string | undefined): { skip?: string } {
  return missing !== undefined && !IN_CI ? { skip: missing } : {};
}

/** Under CI, a missing requirement is a failing test of its own (the suite's tests then fail too). */
export function failInCi(missing: string | undefined): void {
  if (missing !== undefined && IN_CI)
    it('has what it needs', () => {
      throw new Error(`missing under CI=true: ${missing}`);
    });
}
