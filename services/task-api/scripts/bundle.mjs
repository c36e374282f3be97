// Bundles the compiled service (dist/main.js and everything it imports) into dist/bundle/ with
// esbuild, so that the process starts from a few files instead of resolving and compiling about
// 1,900 modules one by one: CPU time to ready falls from about 2.4 s to about 1 s on this project's
// 2-core machine. `node dist/bundle/main.js` is what `npm start`, the container image and the
// process-level tests run; tsc's output stays runnable (`node dist/main.js`), in-process tests
// import its modules, and src/bundle.spec.ts checks that both serve the same contract.
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

/** Bare package specifiers that do not resolve (absent optional peers) become external instead of failing the build. */
const externalized = new Set();
const absentPeersAreExternal = {
  name: 'absent-peers-are-external',
  setup(bundle) {
    bundle.onResolve({ filter: /^[\w@][\w.@/-]*$/ }, async (args) => {
      if (args.pluginData === 'probe' || args.path.startsWith('node:')) return undefined;
      const { errors } = await bundle.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'probe',
      });
      if (errors.length === 0) return undefined;
      externalized.add(args.path);
      return { path: args.path, external: true };
    });
  },
};

/**
 * @nestjs/typeorm reads two classes that TypeORM 1 no longer has through a `require('typeorm')`
 * of its own, which esbuild cannot follow: left alone, a second, unbundled TypeORM would load at
 * every start. The same lookups on the bundled TypeORM (both are undefined on TypeORM 1).
 */
const typeormCompatFromTheBundle = {
  name: 'typeorm-compat-from-the-bundle',
  setup(bundle) {
    bundle.onLoad({ filter: /@nestjs[\\/]typeorm[\\/]dist[\\/]common[\\/]typeorm-compat\.js$/ }, () => ({
      loader: 'js',
      contents: [
        "import * as typeorm from 'typeorm';",
        'const named = (name) => typeorm[name];',
        "export const Connection = named('Connection');",
        "export const AbstractRepository = named('AbstractRepository');",
      ].join('\n'),
    }));
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
  plugins: [absentPeersAreExternal, typeormCompatFromTheBundle],
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
  `[bundle] ${inputs} modules → dist/bundle (${(bytes / 1e6).toFixed(1)} MB with source maps) in ${Math.round(performance.now() - started)} ms; ` +
    `absent, left to fail at run time if used: ${[...externalized].sort().join(', ') || 'none'}\n`,
);
