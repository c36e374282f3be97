import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { componentOf, findWorkspaceRoot, formatImageRef, workspaceStack } from '@obslab/stack';
import { runLab } from '../testing/run-lab.js';
import { imageCatalog, imageNames, pauseImage, selectRecipes } from './image.catalog.js';

const root = findWorkspaceRoot();
const stack = workspaceStack(root);
const { recipes, notBuilt } = imageCatalog(stack);

describe('the image catalog', () => {
  it('tags every image it builds with the name compose/compose.yaml runs, and lists every other image of the file as not built', () => {
    const text = readFileSync(join(root, 'compose/compose.yaml'), 'utf8');
    const composeImages = new Set([...text.matchAll(/^ {4}image: (\S+)$/gm)].map((match) => match[1]!));
    assert.ok(composeImages.size >= 8, [...composeImages].join(', '));
    for (const recipe of recipes.filter((r) => r.name !== 'operator' && r.name !== 'pause'))
      assert.ok(composeImages.has(recipe.ref), `${recipe.name}: ${recipe.ref} is not in compose.yaml`);
    const covered = new Set([...recipes.map((r) => r.ref), ...notBuilt.map((n) => n.ref)]);
    for (const image of composeImages) assert.ok(covered.has(image), `${image} is neither built nor listed`);
    assert.deepEqual(notBuilt.map((n) => n.component).sort(), ['grafana', 'loki', 'tempo']);
  });

  it('builds the Collector, Prometheus, PostgreSQL and pause with scripts, Dockerfiles and files that exist', () => {
    for (const recipe of recipes) {
      const dockerfile = join(root, recipe.source.dockerfile);
      assert.ok(readFileSync(dockerfile, 'utf8').includes('FROM'), dockerfile);
      if (recipe.source.kind === 'script-build')
        for (const file of [recipe.source.script, ...recipe.source.files]) readFileSync(join(root, file));
    }
    assert.deepEqual(
      recipes.filter((r) => r.source.kind === 'script-build').map((r) => r.name),
      ['otel-collector', 'prometheus', 'postgres', 'pause'],
    );
  });

  it('tags the PostgreSQL stand-in with the image the stack gives the postgres component, with its entrypoint in the context', () => {
    const postgres = recipes.find((r) => r.name === 'postgres');
    assert.equal(postgres?.ref, formatImageRef(componentOf(stack, 'postgres').image.image));
    assert.equal(postgres?.source.kind, 'script-build');
    if (postgres?.source.kind !== 'script-build') return;
    assert.deepEqual(postgres.source.files, ['tools/lab/images/postgres/docker-entrypoint.sh']);
    const dockerfile = readFileSync(join(root, postgres.source.dockerfile), 'utf8');
    assert.match(dockerfile, /^ENV .*PGDATA=\/var\/lib\/postgresql\/18\/docker/m);
    assert.match(dockerfile, /^VOLUME \/var\/lib\/postgresql$/m);
    assert.match(dockerfile, /^STOPSIGNAL SIGINT$/m);
  });

  it('builds the pause image under the sandbox image name from the pause binary alone', () => {
    const pause = recipes.find((r) => r.name === 'pause');
    assert.equal(pause?.ref, pauseImage);
    assert.equal(pause?.source.kind, 'script-build');
    if (pause?.source.kind !== 'script-build') return;
    assert.deepEqual(
      [pause.source.script, ...(pause.source.args ?? [])],
      ['scripts/ensure-node-binaries.sh', 'pause'],
    );
    assert.deepEqual(pause.source.take, ['pause']);
    assert.match(readFileSync(join(root, pause.source.dockerfile), 'utf8'), /^FROM scratch$/m);
  });

  it('selects images by name and reports unknown ones', () => {
    assert.deepEqual(selectRecipes(recipes, []).selected, recipes);
    const { selected, unknown } = selectRecipes(recipes, ['prometheus', 'grafana']);
    assert.deepEqual(
      selected.map((r) => r.name),
      ['prometheus'],
    );
    assert.deepEqual(unknown, ['grafana']);
  });
});

describe('lab images', () => {
  it('lists what it builds and what it cannot, with the reason', async () => {
    const { code, stdout } = await runLab(['images', 'list']);
    assert.equal(code, 0);
    for (const name of imageNames) assert.match(stdout, new RegExp(`^${name} `, 'm'));
    assert.match(stdout, /^ {2}tempo +grafana\/tempo:\S+ +AGPL-licensed/m);
  });

  it('refuses an unknown image with exit code 2 and the names it knows, before touching Docker', async () => {
    const { code, stderr } = await runLab(['images', 'build', 'grafana'], {
      ...process.env,
      PATH: '/nonexistent',
    });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /lab: unknown image grafana/);
    assert.match(
      stderr,
      /→ choose from task-api, frontend, operator, otel-collector, prometheus, postgres, pause/,
    );
  });

  it('says how to start Docker when no engine answers (exit 1)', async () => {
    const { code, stderr } = await runLab([
      'images',
      'build',
      'prometheus',
      '--docker',
      '/nonexistent/docker',
    ]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /lab: the Docker engine does not answer/);
    assert.match(stderr, /→ install it \(Debian: apt-get install docker\.io\)/);
  });
});
