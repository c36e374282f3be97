/**
 * Last-resort cleanup when the test process ends without calling stop(): a failed assertion that
 * skips teardown, an uncaught error, Ctrl-C or the test runner's SIGTERM. Cleanups here must be
 * synchronous (the 'exit' event runs no more async work): kill process groups, remove directories.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away; keep cleaning the rest.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else handles this signal (a daemon that stops gracefully): leave it to them; the
  // 'exit' handler still runs if the process ends without stop().
  if (process.listenerCount(signal) > 1) return;
  runAll();
  // Our listener replaced the default "terminate" action: restore it and re-raise the signal so
  // the process still ends, with the usual status.
  installed = false;
  process.removeListener('exit', runAll);
  for (const s of signals) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of signals) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed || cleanups.size > 0) return;
  installed = false;
  process.removeListener('exit', runAll);
  for (const signal of signals) process.removeListener(signal, onSignal);
}

/** Runs `cleanup` once if the process exits or is signalled; call the returned function to cancel. */
export function onProcessExit(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    uninstall();
  };
}
