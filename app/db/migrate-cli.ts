import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createLogger } from '../platform/log.js';
import { migrateToLatest } from './migrate.js';

/**
 * `npm run migrate [-- --wait-seconds=N]`: apply pending migrations (creating the database if
 * missing) and exit. --wait-seconds waits up to N seconds for the database to accept connections
 * first (the chart's init container: the in-chart MySQL starts together with the release).
 */
const config = loadConfig();
const log = createLogger(config.logLevel);
try {
  const { values } = parseArgs({ options: { 'wait-seconds': { type: 'string', default: '0' } } });
  const waitSeconds = Number(values['wait-seconds']);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new Error('--wait-seconds must be a whole number of seconds');
  await migrateToLatest(config.databaseUrl, log, { waitMs: waitSeconds * 1000 });
  log.info('migrations applied');
} catch (err) {
  log.fatal({ err }, 'migration failed');
  process.exitCode = 1;
}
