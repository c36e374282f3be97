import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findWorkspaceRoot, workspaceStack } from '@obslab/stack';
import { runLab } from '../testing/run-lab.js';
import { imageCatalog, imageNames, selectRecipes } from './image.catalog.js';

const root = findWorkspaceRoot();
const { recipes, notBuilt } = imageCatalog(workspaceStack(root));

describe('the image catalog', () => {
  it('tags every image it builds with the name compose/compose.yaml runs, and lists every other image of the file as not built', () => {
    const text = readFileSync(join(root, 'compose/compose.yaml'), 'utf8');
    const composeImages = new Set([...text.matchAll(/^ {4}image: (\S+)$/gm)].map((match) => match[1]!));
    assert.ok(composeImages.size >= 8, [...composeImages].join(', '));
    for (const recipe of recipes.filter((r) => r.name !== 'operator'))
      assert.ok(composeImages.has(recipe.ref), `${recipe.name}: ${recipe.ref} is not in compose.yaml`);
    const covered = new Set([...recipes.map((r) => r.ref), ...notBuilt.map((n) => n.ref)]);
    for (const image of composeImages) assert.ok(covered.has(image), `${image} is neither built nor listed`);
    assert.deepEqual(notBuilt.map((n) => n.component).sort(), ['grafana', 'loki', 'postgres', 'tempo']);
  });

  it('builds the Collector and Prometheus from Go with Dockerfiles and files that exist', () => {
    for (const recipe of recipes) {
      const dockerfile = join(root, recipe.source.dockerfile);
      assert.ok(readFileSync(dockerfile, 'utf8').includes('FROM'), dockerfile);
      if (recipe.source.kind === 'go-build')
        for (const file of [recipe.source.script, ...recipe.source.files]) readFileSync(join(root, file));
    }
    assert.deepEqual(
      recipes.filter((r) => r.source.kind === 'go-build').map((r) => r.name),
      ['otel-collector', 'prometheus'],
    );
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
    assert.match(stderr, /→ choose from task-api, frontend, operator, otel-collector, prometheus/);
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
