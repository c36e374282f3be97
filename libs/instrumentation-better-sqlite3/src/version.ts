// The package's name and version as its tracer reports them (instrumentation scope), kept as
// constants as OpenTelemetry's own instrumentations keep theirs, so that the code also runs bundled,
// away from its package.json. version.spec.ts fails when they drift from package.json.
export const PACKAGE_NAME = '@obslab/instrumentation-better-sqlite3';
export const PACKAGE_VERSION = '0.1.0';
