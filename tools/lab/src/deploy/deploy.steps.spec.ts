import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imagesToShip } from './deploy.steps.js';

const TASK_API = 'obslab/task-api:0.1.0';
const FRONTEND = 'obslab/frontend:0.1.0';

describe('the images lab deploy copies to the host', () => {
  const built = new Map([
    [TASK_API, 'sha256:aaaa'],
    [FRONTEND, 'sha256:bbbb'],
  ]);

  it('copies every image to a host that has none of them', () => {
    assert.deepEqual(imagesToShip(built, new Map()), [TASK_API, FRONTEND]);
  });

  it('copies none when the host has each under the same image ID', () => {
    assert.deepEqual(imagesToShip(built, new Map([...built, ['debian:trixie', 'sha256:cccc']])), []);
  });

  it('copies an image the host has under another ID (an older build), and only that one', () => {
    const host = new Map([
      [TASK_API, 'sha256:0ld0'],
      [FRONTEND, 'sha256:bbbb'],
    ]);
    assert.deepEqual(imagesToShip(built, host), [TASK_API]);
  });

  it('does not take an image with the same ID under another tag for the one asked', () => {
    assert.deepEqual(imagesToShip(built, new Map([['obslab/task-api:0.0.9', 'sha256:aaaa']])), [
      TASK_API,
      FRONTEND,
    ]);
  });
});
