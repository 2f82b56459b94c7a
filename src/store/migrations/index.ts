/** Every migration, in order. Listed in code (not read from a folder) so a bundled build finds them. */
import type { Migration } from 'kysely';
import * as initial from './0001-initial.js';
import * as multiUser from './0002-multi-user.js';
import * as usageHourly from './0003-usage-hourly.js';
import * as hardening from './0004-hardening.js';
import * as userPlan from './0005-user-plan.js';
import * as logDetails from './0006-log-details.js';
import * as responses from './0007-responses.js';
import * as promptCache from './0008-prompt-cache.js';
import * as budgets from './0009-budgets.js';

export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-multi-user': multiUser,
  '0003-usage-hourly': usageHourly,
  '0004-hardening': hardening,
  '0005-user-plan': userPlan,
  '0006-log-details': logDetails,
  '0007-responses': responses,
  '0008-prompt-cache': promptCache,
  '0009-budgets': budgets,
};
