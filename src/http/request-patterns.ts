/** Shapes of request fields that more than one reader checks (the schemas and the plain-request reader). */

/** Session ids go into the database and the logs: a bounded set of safe characters. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Model names travel in response headers: visible ASCII only, bounded. */
export const MODEL_NAME_PATTERN = /^[\x21-\x7e]{0,256}$/;
