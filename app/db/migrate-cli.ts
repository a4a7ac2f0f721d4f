import { loadConfig } from '../config.js';
import { createLogger } from '../platform/log.js';
import { migrateToLatest } from './migrate.js';

/** `npm run migrate`: apply pending migrations (creating the database if missing) and exit. */
const config = loadConfig();
const log = createLogger(config.logLevel);
try {
  await migrateToLatest(config.databaseUrl, log);
  log.info('migrations applied');
} catch (err) {
  log.fatal({ err }, 'migration failed');
  process.exitCode = 1;
}
