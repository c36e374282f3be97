// Builds the lab's images on this machine with the Docker engine, from local base images (no
// registry): the repository's Dockerfiles for task-api, frontend and operator, and programs built or
// fetched by repository scripts (Collector and Prometheus 3 from their Go modules, PostgreSQL from npm,
// a static pause) put into images laid out like the upstream ones.
// Each step prints progress; a failure names the step and says what to do.
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CommandError, run } from '@obslab/process';
import { LabError } from '../lab.error.js';
import { baseImages, type ImageRecipe } from './image.catalog.js';

/** Debian's docker CLI when present (another `docker` may come first on PATH), else `docker`. */
export const defaultDocker = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** Label on every image `lab images build` makes, so they can be told from upstream ones. */
export const builtByLabel = 'dev.obslab.built-by=lab-images-build';

export interface BuildImagesOptions {
  /** The workspace root (holds nx.json and the scripts). */
  readonly root: string;
  readonly docker: string;
  /** Progress lines (stderr in the CLI). */
  readonly progress: (line: string) => void;
}

/** One image made: its reference, size in bytes and build time. */
export interface BuiltImage {
  readonly name: string;
  readonly ref: string;
  readonly bytes: number;
  readonly seconds: number;
}

const seconds = (startedAt: number) => (Date.now() - startedAt) / 1000;

/** How often a long build step says it is still running. */
const heartbeatMs = 30_000;

/**
 * Runs a program of one build step, saying every 30 s that it is still running (cold Go builds take
 * minutes); a failure becomes a LabError naming the step.
 */
async function buildStep(
  what: string,
  program: string,
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly hint: string;
    readonly progress: (line: string) => void;
  },
) {
  const started = Date.now();
  const heartbeat = setInterval(
    () => options.progress(`${what}: still running (${seconds(started).toFixed(0)} s)`),
    heartbeatMs,
  );
  try {
    return await run(program, args, {
      cwd: options.cwd,
      env: { ...process.env, DOCKER_BUILDKIT: '1', ...options.env },
      timeoutMs: 45 * 60_000,
    });
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    throw new LabError(`${what} failed: ${error.message}`, options.hint);
  } finally {
    clearInterval(heartbeat);
  }
}

/** Fails with what to do when no Docker engine answers. */
export async function assertDockerAnswers(docker: string): Promise<void> {
  try {
    await run(docker, ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  } catch (error) {
    const reason = error instanceof CommandError ? error.message : String(error);
    throw new LabError(
      `the Docker engine does not answer (${reason.split('\n')[0]})`,
      'install it (Debian: apt-get install docker.io) and start it (systemctl start docker, or as root: dockerd --iptables=false --ip6tables=false &)',
    );
  }
}

/** scripts/build-base-images.sh: the obslab-local/* base images (kept, loaded from the cache, or built). */
export async function ensureBaseImages(options: BuildImagesOptions): Promise<void> {
  const started = Date.now();
  options.progress(`base images ${Object.values(baseImages).join(', ')} (cold: about 2 minutes)`);
  await buildStep('building the base images', 'bash', ['scripts/build-base-images.sh'], {
    cwd: options.root,
    env: { DOCKER: options.docker },
    progress: options.progress,
    hint: 'debootstrap must be installed (apt-get install debootstrap) and the Debian mirror reachable',
  });
  options.progress(`base images ready in ${seconds(started).toFixed(0)} s`);
}

/** A throw-away build context with the script's output and the recipe's files. */
async function scriptBuildContext(recipe: ImageRecipe, options: BuildImagesOptions): Promise<string> {
  const { source } = recipe;
  if (source.kind !== 'script-build') throw new Error(`${recipe.name} is not built by a script`);
  options.progress(`${recipe.name}: ${source.builds}`);
  const { stdout } = await buildStep(
    `building ${recipe.name}`,
    'bash',
    [source.script, ...(source.args ?? [])],
    {
      cwd: options.root,
      progress: options.progress,
      hint: `run bash ${[source.script, ...(source.args ?? [])].join(' ')} by hand: its error says what is missing (Go and the Go module proxy, npm and its registry, or gcc)`,
    },
  );
  const built = stdout.trimEnd().split('\n').at(-1) ?? '';
  const context = await mkdtemp(join(tmpdir(), `obslab-image-${recipe.name}-`));
  try {
    // The script prints a binary or a directory of build outputs.
    const outputs = statSync(built, { throwIfNoEntry: false })?.isDirectory()
      ? (source.take ?? (await readdir(built))).map((file) => join(built, file))
      : [built];
    for (const file of [...outputs, ...source.files.map((file) => join(options.root, file))]) {
      await copyFile(file, join(context, basename(file)));
    }
  } catch (error) {
    await rm(context, { recursive: true, force: true });
    throw error;
  }
  return context;
}

async function imageBytes(docker: string, ref: string): Promise<number> {
  const { stdout } = await run(docker, ['image', 'inspect', '--format', '{{.Size}}', ref]);
  return Number(stdout.trim());
}

/** Builds one image and tags it with its recipe's reference. */
export async function buildImage(recipe: ImageRecipe, options: BuildImagesOptions): Promise<BuiltImage> {
  const started = Date.now();
  const { source } = recipe;
  const common = ['build', '--network', 'host', '--label', builtByLabel, '-t', recipe.ref];
  if (source.kind === 'workspace') {
    options.progress(`${recipe.name}: docker build -f ${source.dockerfile} (${recipe.ref})`);
    await buildStep(
      `docker build of ${recipe.name}`,
      options.docker,
      [
        ...common,
        ...Object.entries(source.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
        '-f',
        source.dockerfile,
        '.',
      ],
      {
        cwd: options.root,
        progress: options.progress,
        hint: 'the stderr tail above names the failing Dockerfile step; rerun that docker build by hand to see all of it',
      },
    );
  } else {
    const context = await scriptBuildContext(recipe, options);
    try {
      options.progress(`${recipe.name}: docker build -f ${source.dockerfile} (${recipe.ref})`);
      await buildStep(
        `docker build of ${recipe.name}`,
        options.docker,
        [
          ...common,
          '--build-arg',
          `BASE_IMAGE=${baseImages.debian}`,
          '-f',
          join(options.root, source.dockerfile),
          context,
        ],
        {
          cwd: options.root,
          progress: options.progress,
          hint: 'the stderr tail above names the failing Dockerfile step; rerun that docker build by hand to see all of it',
        },
      );
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  }
  const built = {
    name: recipe.name,
    ref: recipe.ref,
    bytes: await imageBytes(options.docker, recipe.ref),
    seconds: seconds(started),
  };
  options.progress(
    `${recipe.name}: ${recipe.ref} ready (${megabytes(built.bytes)}, ${built.seconds.toFixed(0)} s)`,
  );
  return built;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

/** Base images first, then each recipe in order. */
export async function buildImages(
  recipes: readonly ImageRecipe[],
  options: BuildImagesOptions,
): Promise<BuiltImage[]> {
  await assertDockerAnswers(options.docker);
  await ensureBaseImages(options);
  const built: BuiltImage[] = [];
  for (const [index, recipe] of recipes.entries()) {
    options.progress(`[${index + 1}/${recipes.length}] ${recipe.name}: ${recipe.summary}`);
    built.push(await buildImage(recipe, options));
  }
  return built;
}
