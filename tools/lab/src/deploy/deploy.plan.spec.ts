import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { workspaceStack } from '@obslab/stack';
import { LabError } from '../lab.error.js';
import { deployPlan, imagesToShip } from './deploy.plan.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const stack = workspaceStack(root);
const composeYaml = readFileSync(`${root}/compose/compose.yaml`, 'utf8');

/** The services compose/compose.yaml builds, as `{ service: [image, dockerfile] }` (context `..`: the root). */
function composeBuilds(): Record<string, [string, string]> {
  const pattern =
    /^ {2}([a-z-]+):\n {4}image: (\S+)\n {4}build:\n {6}context: \.\.\n {6}dockerfile: (\S+)$/gm;
  return Object.fromEntries(
    [...composeYaml.matchAll(pattern)].map(([, name, image, file]) => [name!, [image!, file!]]),
  );
}

/** The repository files compose/compose.yaml bind-mounts, relative to the root. */
function composeMounts(): string[] {
  return [...composeYaml.matchAll(/^ {6}- \.\/(config\/[^:]+):\S+:ro$/gm)].map(
    ([, source]) => `compose/${source}`,
  );
}

describe('the deploy plan, asked of @obslab/stack', () => {
  it('builds here exactly the images compose/compose.yaml builds, under the same names and Dockerfiles', () => {
    const expected = composeBuilds();
    assert.deepEqual(Object.keys(expected).sort(), ['frontend', 'task-api']);
    const plan = deployPlan(stack, []);
    assert.deepEqual(
      Object.fromEntries(plan.builds.map((build) => [build.component, [build.image, build.dockerfile]])),
      expected,
    );
    for (const build of plan.builds) assert.equal(build.context, '.', build.component);
  });

  it('ships the compose file and every file or directory it bind-mounts, nothing else', () => {
    const mounts = composeMounts();
    assert.ok(mounts.length >= 7, mounts.join(' '));
    assert.deepEqual([...deployPlan(stack, []).files].sort(), ['compose/compose.yaml', ...mounts].sort());
  });

  it('starts every service when none is named, and only the named ones otherwise', () => {
    assert.deepEqual(deployPlan(stack, []).services, []);
    const plan = deployPlan(stack, ['task-api', 'frontend']);
    assert.deepEqual(plan.services, ['task-api', 'frontend']);
    assert.deepEqual(plan.builds.map((build) => build.component).sort(), ['frontend', 'task-api']);
    assert.deepEqual(deployPlan(stack, ['tempo']).builds, [], 'an upstream image is pulled by the host');
  });

  it('refuses an unknown service and the postgres add-on as usage errors, naming the choices', () => {
    for (const name of ['nope', 'postgres']) {
      assert.throws(
        () => deployPlan(stack, ['task-api', name]),
        (error: unknown) =>
          error instanceof LabError &&
          error.exitCode === 2 &&
          error.message === `--services: unknown service(s): ${name}` &&
          /choose from frontend, task-api, otel-collector/.test(error.hint ?? '') &&
          !(error.hint ?? '').includes('postgres'),
      );
    }
  });
});

const TASK_API_IMAGE = 'obslab/task-api:0.1.0';
const FRONTEND_IMAGE = 'obslab/frontend:0.1.0';

describe('the images lab deploy copies to the host', () => {
  const built = new Map([
    [TASK_API_IMAGE, 'sha256:aaaa'],
    [FRONTEND_IMAGE, 'sha256:bbbb'],
  ]);

  it('copies every image to a host that has none of them', () => {
    assert.deepEqual(imagesToShip(built, new Map()), [TASK_API_IMAGE, FRONTEND_IMAGE]);
  });

  it('copies none when the host has each under the same image ID', () => {
    assert.deepEqual(imagesToShip(built, new Map([...built, ['debian:trixie', 'sha256:cccc']])), []);
  });

  it('copies an image the host has under another ID (an older build), and only that one', () => {
    const host = new Map([
      [TASK_API_IMAGE, 'sha256:0ld0'],
      [FRONTEND_IMAGE, 'sha256:bbbb'],
    ]);
    assert.deepEqual(imagesToShip(built, host), [TASK_API_IMAGE]);
  });

  it('does not take an image with the same ID under another tag for the one asked', () => {
    assert.deepEqual(imagesToShip(built, new Map([['obslab/task-api:0.0.9', 'sha256:aaaa']])), [
      TASK_API_IMAGE,
      FRONTEND_IMAGE,
    ]);
  });
});
