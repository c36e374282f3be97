// The operator's image (operator/Dockerfile), made by `lab images build`: non-root, read-only root
// filesystem, the Deployment's command, the desired state rendered inside it as on the host.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  defaultOperatorImage,
  desiredState,
  operatorManifests,
  type ObservabilityLab,
} from '@obslab/operator';
import { docker } from '../docker/docker.cli.js';
import { dockerd, labImagesBuild, log } from './compose-suite.context.js';

/** The operator image suite, in the current describe (which shares the dockerd and the images). */
export function describeOperatorImage(): void {
  describe(
    'the operator image (operator/Dockerfile) on a real dockerd: non-root, read-only root filesystem',
    { timeout: 55 * 60_000 },
    () => {
      const image = defaultOperatorImage;
      /** `docker run --rm` as the operator Deployment runs it: uid 10001, read-only root, no capabilities. */
      const restricted = [
        'run',
        '--rm',
        '--read-only',
        '--user',
        '10001:10001',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
      ];

      before(
        async () => {
          await dockerd();
          await labImagesBuild();
          const { stdout: size } = await docker(['image', 'inspect', '-f', '{{.Size}}', image]);
          log(`operator image: ${(Number(size) / 1e6).toFixed(0)} MB`);
        },
        { timeout: 50 * 60_000 },
      );

      it('runs as uid and gid 10001 unless told otherwise', async () => {
        const { stdout: user } = await docker(['image', 'inspect', '-f', '{{.Config.User}}', image]);
        assert.equal(user.trim(), '10001:10001');
        const { stdout: id } = await docker(['run', '--rm', '--entrypoint', 'id', image]);
        assert.match(id.trim(), /^uid=10001\(\w+\) gid=10001\(\w+\) groups=10001\(\w+\)$/);
      });

      it('prints `lab operator run --help` as uid 10001 on a read-only root filesystem without capabilities', async () => {
        const { stdout } = await docker([...restricted, image, 'operator', 'run', '--help']);
        assert.match(stdout, /^Usage: lab operator run \[options\]\n/);
        assert.match(stdout, /--leader-elect\b/);
        assert.match(stdout, /--probes-address <host:port>/);
      });

      it("runs `lab operator run` with the operator Deployment's command and args (node, its heap flags, /app/tools/lab/bin/lab.js)", async () => {
        const deployment = operatorManifests().find((m) => m['kind'] === 'Deployment') as
          | { spec: { template: { spec: { containers: { command: string[]; args: string[] }[] } } } }
          | undefined;
        const container = deployment?.spec.template.spec.containers[0];
        assert.ok(container, 'operatorManifests() has no Deployment with a container');
        const [program, ...programArgs] = container.command;
        assert.ok(program, 'the Deployment container has no command');
        const { stdout } = await docker([
          ...restricted,
          '--entrypoint',
          program,
          image,
          ...programArgs,
          ...container.args,
          '--help',
        ]);
        assert.match(stdout, /^Usage: lab operator run \[options\]\n/);
        const { stdout: version } = await docker([
          ...restricted,
          '--entrypoint',
          program,
          image,
          ...programArgs,
          '--version',
        ]);
        assert.equal(version.trim(), '0.1.0');
      });

      it("renders a lab's desired state from the workspace files in the image, read-only, exactly as on the host", async () => {
        const lab: ObservabilityLab = {
          apiVersion: 'lab.obslab.dev/v1alpha1',
          kind: 'ObservabilityLab',
          metadata: { name: 'lab', namespace: 'obslab-e2e', uid: '00000000-0000-4000-8000-000000000001' },
          spec: {},
        };
        // What the operator does for each lab: synthesize it with charts-ts from /app's nx.json,
        // compose/config/ and the task-api version, without writing to the filesystem.
        const script = `
          const { desiredState } = await import('@obslab/operator');
          process.stdout.write(JSON.stringify(desiredState(${JSON.stringify(lab)}).children));
        `;
        const { stdout } = await docker([
          ...restricted,
          '--entrypoint',
          'node',
          image,
          '--input-type=module',
          '-e',
          script,
        ]);
        const inImage = JSON.parse(stdout) as { kind: string; metadata: { name: string } }[];
        const names = inImage.map((object) => `${object.kind}/${object.metadata.name}`);
        for (const expected of [
          'Deployment/task-api',
          'Deployment/prometheus',
          'ConfigMap/prometheus-config',
        ])
          assert.ok(
            names.includes(expected),
            `no ${expected} in the image's desired state: ${names.join(', ')}`,
          );
        assert.deepEqual(inImage, JSON.parse(JSON.stringify(desiredState(lab).children)));
      });
    },
  );
}
