import { accessSync, constants, mkdirSync } from 'node:fs';

/** Creates DATA_DIR when missing and proves it writable, or throws saying what to do. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `DATA_DIR ${dir} is not usable (${code}): point DATA_DIR at a writable directory, or give the service's user write access to it`,
      { cause: error },
    );
  }
}
