// The task service's entry point. Configuration is validated first (a bad environment exits with
// every bad variable named), then OpenTelemetry starts, and only then is the application imported,
// so that the libraries it loads are instrumented.
import { type AppConfig, ConfigError, loadConfig } from './config/app-config.js';
import { startTelemetry } from './telemetry/telemetry.js';

function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`task-api: ${error.message}\n`);
    process.exit(2);
  }
}

const config = configOrExit();
const telemetry = startTelemetry(config.telemetry);
const { serve } = await import('./bootstrap.js');
let running: Awaited<ReturnType<typeof serve>>;
try {
  running = await serve(config, telemetry);
} catch (error) {
  process.stderr.write(`task-api: failed to start: ${(error as Error).message}\n`);
  await telemetry.shutdown();
  process.exit(1);
}
// Work abandoned at the shutdown deadline (timers, sockets) must not keep the process alive.
await running.stopped;
process.exit(0);
