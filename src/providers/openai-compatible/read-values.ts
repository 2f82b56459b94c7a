/** The value checks the hand-written readers share, each as its zod counterpart decides. */

/** z.object(): a non-null object that is not an array. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** z.string().nullish(). */
export const isNullishString = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';

/** z.number(): finite (JSON.parse reads 1e999 as Infinity). */
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
