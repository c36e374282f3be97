// The compose lab under trouble: the Collector stopped, task-api restarted under traffic, down and up.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventually } from '@obslab/process';
import { docker } from '../docker/docker.cli.js';
import { type ComposeLab } from './compose-lab.setup.js';
import { log, seconds, services, timed } from './compose-suite.context.js';

/** Registers these tests in the current describe; `lab()` is the running lab (set by its before hook). */
export function describeLabResilience(lab: () => ComposeLab): void {
  it("reports the Collector's health truthfully through its sidecar: the probe fails while the Collector is stopped and passes again after", async () => {
    const { project } = lab();
    // The sidecar's own healthcheck command, as compose configured it (not a copy of it).
    const { stdout } = await docker([
      'inspect',
      '--format',
      '{{json .Config.Healthcheck.Test}}',
      await project.containerId('otel-collector-health'),
    ]);
    const [kind, ...command] = JSON.parse(stdout) as string[];
    assert.equal(kind, 'CMD');
    assert.match(command.at(-1) ?? '', /^http:\/\/otel-collector:13133\//);
    const probe = () => project.exec('otel-collector-health', command);
    await probe();
    await project.compose(['stop', '--timeout', '10', 'otel-collector']);
    try {
      await assert.rejects(probe(), /exited with code|failed/);
    } finally {
      await project.compose(['start', 'otel-collector']);
    }
    await eventually(probe, {
      timeoutMs: 60_000,
      intervalMs: 1_000,
      description: 'the Collector answers again',
    });
  });

  it('recovers from a docker restart of task-api under steady traffic: no 5xx once it is healthy again', async () => {
    const { project, baseUrl } = lab();
    const results: { at: number; status: number }[] = [];
    let running = true;
    const traffic = (async () => {
      while (running) {
        const at = Date.now();
        let status: number;
        try {
          const response = await fetch(`${baseUrl}/api/tasks?limit=1`, {
            signal: AbortSignal.timeout(5_000),
          });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          status = 0; // no answer from nginx at all
        }
        results.push({ at, status });
        await new Promise((done) => setTimeout(done, 50));
      }
    })();
    try {
      await eventually(() => assert.ok(results.length >= 10), { timeoutMs: 10_000 });
      const restarted = Date.now();
      await docker(['restart', '--time', '10', await project.containerId('task-api')], {
        timeoutMs: 60_000,
      });
      await eventually(async () => assert.equal(await project.health('task-api'), 'healthy'), {
        timeoutMs: 120_000,
        intervalMs: 250,
        description: 'task-api is healthy again after docker restart',
      });
      const healthy = Date.now();
      const steadyFrom = results.length;
      await eventually(() => assert.ok(results.length - steadyFrom >= 60), { timeoutMs: 30_000 });
      running = false;
      await traffic;
      const during = results.filter((r) => r.at >= restarted && r.at < healthy);
      const afterHealthy = results.filter((r) => r.at >= healthy);
      const failures = afterHealthy.filter((r) => r.status !== 200);
      log(
        `restart: healthy again after ${seconds(healthy - restarted)}; during it ${during.filter((r) => r.status >= 500).length} of ${during.length} requests got 5xx; after it ${failures.length} of ${afterHealthy.length} failed`,
      );
      assert.deepEqual(failures, [], 'requests failed after task-api was healthy again');
    } finally {
      running = false;
      await traffic;
    }
  });

  it('keeps the data on its named volume across docker compose down and up', async () => {
    const { runId, project, baseUrl } = lab();
    const title = `survives down ${runId}`;
    const created = await fetch(`${baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    assert.equal(created.status, 201);
    const volumesBefore = await project.volumes();
    assert.ok(
      volumesBefore.includes(`obslab-e2e-${runId}_task-api-data`),
      `volumes: ${volumesBefore.join(', ')}`,
    );

    await timed('compose down (volumes kept)', () => project.down({ volumes: false }));
    assert.deepEqual((await project.volumes()).sort(), volumesBefore.sort());
    await timed('compose up --wait again', () => project.up(services));

    const listed = (await (await fetch(`${baseUrl}/api/tasks`)).json()) as { tasks: { title: string }[] };
    assert.ok(
      listed.tasks.some((task) => task.title === title),
      `task "${title}" is gone after down and up`,
    );
  });
}
