// `lab images build|list`: the one place that builds the lab's images on this machine.
import { findWorkspaceRoot, workspaceStack } from '@obslab/stack';
import { Command } from 'commander';
import { LabError } from '../lab.error.js';
import { buildImages, defaultDocker, megabytes, type BuiltImage } from './image.builder.js';
import {
  imageCatalog,
  imageNames,
  selectRecipes,
  type ImageNotBuilt,
  type ImageRecipe,
} from './image.catalog.js';

const progress = (line: string) => console.error(`lab images: ${line}`);

export function imagesCommand(): Command {
  const images = new Command('images').description(
    'Build the lab’s images with the local Docker engine, from local Debian base images (no registry needed), under the names compose/compose.yaml and the Kubernetes manifests use.',
  );
  images
    .command('build')
    .description(
      `build images (default: all of ${imageNames.join(', ')}); the Collector and Prometheus 3 are built from their Go modules first, PostgreSQL comes from the npm registry and pause is built with gcc (all cached in ~/.cache/obslab), laid out like their upstream images`,
    )
    .argument('[image...]', `images to build: ${imageNames.join(', ')}`)
    .option('--docker <path>', 'docker CLI to use', defaultDocker)
    .action(async (names: string[], options: { docker: string }) => {
      const { root, selected, notBuilt } = chooseImages(names);
      const started = Date.now();
      const built = await buildImages(selected, { root, docker: options.docker, progress });
      console.log(builtTable(built));
      if (names.length === 0) console.log(notBuiltLines(notBuilt));
      const standIns = selected
        .filter((recipe) => recipe.source.kind === 'script-build')
        .map((recipe) => recipe.ref);
      if (standIns.length > 0)
        progress(
          `${standIns.join(' and ')} are local stand-ins under the upstream names (label dev.obslab.built-by=lab-images-build): compose and the manifests now use them instead of pulling; docker rmi them to go back to upstream`,
        );
      progress(`${built.length} image(s) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });
  images
    .command('list')
    .description('list the lab’s images: the ones this command builds and the upstream ones it cannot')
    .action(() => {
      const { recipes, notBuilt } = imageCatalog(workspaceStack(findWorkspaceRoot()));
      for (const recipe of recipes)
        console.log(`${recipe.name.padEnd(15)} ${recipe.ref.padEnd(46)} ${recipe.summary}`);
      console.log(notBuiltLines(notBuilt));
    });
  return images;
}

/** The workspace and the recipes `names` choose (all when empty); an unknown name is a usage error (exit 2). */
export function chooseImages(names: readonly string[]): {
  root: string;
  selected: ImageRecipe[];
  notBuilt: readonly ImageNotBuilt[];
} {
  const root = findWorkspaceRoot();
  const { recipes, notBuilt } = imageCatalog(workspaceStack(root));
  const { selected, unknown } = selectRecipes(recipes, names);
  if (unknown.length > 0) {
    throw new LabError(
      `unknown image ${unknown.join(', ')}`,
      `choose from ${imageNames.join(', ')} (lab images list)`,
      2,
    );
  }
  return { root, selected: [...selected], notBuilt };
}

/** The table printed after a build. */
export function builtTable(built: readonly BuiltImage[]): string {
  return textTable(
    ['image', 'reference', 'size', 'time'],
    built.map((image) => [image.name, image.ref, megabytes(image.bytes), `${image.seconds.toFixed(0)} s`]),
  );
}

/** Columns padded to their widest cell, two spaces apart. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function notBuiltLines(notBuilt: readonly ImageNotBuilt[]): string {
  return [
    'not built here (upstream images):',
    ...notBuilt.map((image) => `  ${image.component.padEnd(13)} ${image.ref.padEnd(32)} ${image.reason}`),
  ].join('\n');
}
