/** Exit code of a usage error (unknown command or option, missing or bad value), as in every `lab` command. */
export const USAGE_EXIT_CODE = 2;

/** A failure the user can act on: printed as `lab: <message>` and `  → <hint>`, then exit code ≠ 0. */
export class LabError extends Error {
  override readonly name = 'LabError';

  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
