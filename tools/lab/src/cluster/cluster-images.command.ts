// `lab cluster images`: builds the lab's images (`lab images build`) and imports them into the real
// node of `lab cluster up --node`, so its pods start them without a registry.
import { importDockerImages } from '@obslab/control-plane';
import { Command } from 'commander';
import { clusterPaths, isAlive, readClusterState } from './cluster-state.js';
import { LabError } from '../lab.error.js';
import { buildImages, defaultDocker, megabytes } from '../images/image.builder.js';
import { imageNames } from '../images/image.catalog.js';
import { chooseImages, notBuiltLines, textTable } from '../images/images.command.js';

const progress = (line: string) => console.error(`lab cluster images: ${line}`);

export function clusterImagesCommand(): Command {
  return new Command('images')
    .description(
      'build every lab image that can be built here (`lab images build`) and import it into the real node of `lab cluster up --node`; prints names, sizes and times, and the upstream images that cannot be built',
    )
    .argument('[image...]', `images to build and import (default: all): ${imageNames.join(', ')}`)
    .option('--docker <path>', 'docker CLI to use', defaultDocker)
    .action(async (names: string[], options: { docker: string }) => {
      const { root, selected, notBuilt } = chooseImages(names);
      if (process.getuid?.() !== 0) {
        throw new LabError(
          'importing into the real node needs root (its containerd socket is root’s)',
          'run `sudo npx lab cluster images`',
        );
      }
      const state = await readClusterState(clusterPaths());
      if (state?.status !== 'ready' || !isAlive(state.daemonPid)) {
        throw new LabError('no cluster runs', 'run `lab cluster up --node` first');
      }
      if (!state.node) {
        throw new LabError(
          'the cluster has no real node to import images into',
          'run `lab cluster down`, then `lab cluster up --node`',
        );
      }
      const started = Date.now();
      const built = await buildImages(selected, { root, docker: options.docker, progress });
      progress(`importing ${built.length} image(s) into ${state.node.name}`);
      const rows: string[][] = [];
      for (const image of built) {
        const seconds = await importDockerImages(state.node.containerdSocket, [image.ref], options.docker);
        progress(`${image.ref} imported in ${seconds.toFixed(1)} s`);
        rows.push([
          image.name,
          image.ref,
          megabytes(image.bytes),
          `${image.seconds.toFixed(0)} s`,
          `${seconds.toFixed(1)} s`,
        ]);
      }
      console.log(textTable(['image', 'reference', 'size', 'build', 'import'], rows));
      if (names.length === 0) console.log(notBuiltLines(notBuilt));
      progress(
        `${built.length} image(s) built and imported in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    });
}
