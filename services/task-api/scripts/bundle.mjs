// Bundles the compiled service (dist/main.js and everything it imports) into dist/bundle/ with
// esbuild, so that the process starts from a few files instead of resolving and compiling about
// 1,900 modules one by one: start-up CPU falls from about 2.4 s to about 1.3 s (see the README's
// Benchmark section). `node dist/bundle/main.js` is what `npm start`, the container image and the
// process-level tests run; `dist/main.js` (tsc's output) stays runnable and is what in-process
// tests import.
//
// Left outside the bundle, loaded from node_modules at run time:
// - packages that OpenTelemetry instruments by patching `require` (pg, better-sqlite3): a bundled
//   copy would never pass through the hook, and its spans would silently disappear;
// - native addons (better-sqlite3) and reflect-metadata, which every decorator needs before any
//   bundled module is evaluated (the banner imports it first);
// - @grpc/grpc-js, which OpenTelemetry's gRPC exporter loads both statically and by a computed
//   require: two copies would reject each other's credentials objects;
// - optional peers that are not installed (TypeORM's other drivers, Nest's microservices, …): they
//   fail at run time exactly as they do without the bundle, when and only if they are used.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const project = fileURLToPath(new URL('..', import.meta.url));
const INSTRUMENTED = ['pg', 'pg-native', 'better-sqlite3'];
const FIRST = ['reflect-metadata'];
/** Loaded both by a literal and by a computed require in OpenTelemetry's gRPC exporter: one copy only. */
const SINGLE_COPY = ['@grpc/grpc-js'];

/** Bare specifiers that do not resolve (absent optional peers) become external instead of failing the build. */
const absentPeersAreExternal = {
  name: 'absent-peers-are-external',
  setup(bundle) {
    bundle.onResolve({ filter: /^(@[\w.-]+\/)?[\w.-]+(\/.*)?$/ }, async (args) => {
      if (args.pluginData === 'probe') return undefined;
      const { errors } = await bundle.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'probe',
      });
      return errors.length > 0 ? { path: args.path, external: true } : undefined;
    });
  },
};

const started = performance.now();
const result = await build({
  absWorkingDir: project,
  entryPoints: ['dist/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true, // main.js starts telemetry before it imports the application's chunk
  format: 'esm',
  platform: 'node',
  target: 'node24',
  sourcemap: 'linked',
  // Class and function names stay as written: Nest logs them and the OpenAPI document names its schemas after DTO classes.
  keepNames: true,
  external: [...INSTRUMENTED, ...FIRST, ...SINGLE_COPY],
  plugins: [absentPeersAreExternal],
  // CommonJS code inside an ESM bundle needs a real `require` (for Node's built-ins and the
  // external packages above, through Module.prototype.require where OpenTelemetry's hook sits).
  banner: {
    js: "import 'reflect-metadata';\nimport { createRequire as __obslabCreateRequire } from 'node:module';\nconst require = __obslabCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
const inputs = Object.keys(result.metafile.inputs).length;
process.stderr.write(
  `[bundle] ${inputs} modules → dist/bundle (${(bytes / 1e6).toFixed(1)} MB with source maps) in ${Math.round(performance.now() - started)} ms\n`,
);
