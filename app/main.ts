import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './platform/log.js';
import { startService } from './service.js';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    // No logger config yet: this one line is all an operator needs to fix the deployment.
    console.error(JSON.stringify({ level: 'fatal', msg: err instanceof ConfigError ? err.message : String(err) }));
    process.exit(1);
  }
}
const config = configOrExit();
const log = createLogger(config.logLevel);

const service = await startService(config, log).catch((err: unknown) => {
  log.fatal({ err }, 'startup failed');
  process.exit(1);
});

let signalled = false;
function shutdown(signal: string): void {
  if (signalled) return;
  signalled = true;
  log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
  // Exit even if something hangs past the grace window; 0 because the drain itself was orderly.
  setTimeout(() => {
    log.warn('drain window exceeded; exiting');
    process.exit(0);
  }, config.shutdownGraceMs).unref();
  service.stop().then(
    () => {
      log.info('stopped');
      process.exit(0);
    },
    (err: unknown) => {
      log.error({ err }, 'error while stopping');
      process.exit(1);
    },
  );
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
