/* eslint-disable @typescript-eslint/no-unsafe-return -- manifests are untyped JSON */
// compose/compose.yaml (+ compose.postgres.yaml) and the Kubernetes rendering, component by
// component: image, args, ports, environment, config file contents, user, read-only root, scratch
// paths and limits. Any difference fails unless it is on the commented list below.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { composeOptions, healthServiceName } from '@obslab/compose';
import { findWorkspaceRoot, workspaceStack } from '@obslab/stack';
import { synthLab, type Manifest } from './lab.chart.js';
import { type LabChartProps } from './lab.props.js';
import { loadAll } from './yaml.js';

const root = findWorkspaceRoot();
const stack = workspaceStack(root);

/**
 * Platform differences, by `component/aspect/key`: what Kubernetes must do otherwise, and why.
 * Nothing else may differ.
 */
const allowedDifferences: Readonly<Record<string, string>> = {
  // Service discovery: nginx resolves upstreams itself and ignores the pod's DNS search path, so it
  // gets the cluster DNS Service IP and fully qualified Service names instead of Docker's 127.0.0.11.
  'frontend/env/NGINX_RESOLVER': 'cluster DNS Service IP instead of Docker embedded DNS',
  'frontend/env/TASK_API_URL': 'fully qualified Service name (nginx has no search path)',
  'frontend/env/OTEL_COLLECTOR_URL': 'fully qualified Service name (nginx has no search path)',
  // Public URLs: compose publishes on localhost ports, Kubernetes serves the Ingress hosts over TLS.
  'frontend/env/GRAFANA_URL': 'the Grafana Ingress host instead of localhost:3000',
  'grafana/env/GF_SERVER_ROOT_URL': 'the Grafana Ingress host instead of localhost:3000',
  // Secrets: compose reads these settings from .env; on Kubernetes they come from user-created Secrets.
  'grafana/env/GF_SECURITY_ADMIN_USER': 'from the Grafana admin Secret (admin-user) instead of .env',
  'postgres/env/POSTGRES_PASSWORD': 'from the postgres Secret (password) instead of .env',
  // Service discovery: static targets on compose's network become pod discovery in the namespace.
  'prometheus/config/prometheus.yml': 'kubernetes_sd_configs (role pod) instead of static_configs',
  // Storage needs no entry: the data paths are the same; named volumes become PersistentVolumeClaims
  // (a volumeClaimTemplate for postgres, an emptyDir for task-api's unused data dir on PostgreSQL),
  // which this comparison does not see because it compares mount paths.
  // Probes: compose runs a command inside the image; the kubelet probes HTTP endpoints directly.
  '*/health': 'HTTP probes by the kubelet (startup, liveness, readiness) instead of an in-image command',
};

type Snapshot = Record<string, unknown>;

/** `${VAR:-default}` → default, `${VAR:?hint}` → a secret marker, `$$` → `$`. */
function composeValue(value: string): string {
  if (/^\$\{[A-Z_]+:\?.*\}$/.test(value)) return '<secret>';
  return value.replace(/\$\{[A-Z_][A-Z0-9_]*:-([^}]*)\}/g, '$1').replaceAll('$$', '$');
}

function filesOf(path: string, prefix = ''): Record<string, string> {
  if (!statSync(path).isDirectory()) return { [prefix || posix.basename(path)]: readFileSync(path, 'utf8') };
  return Object.assign(
    {},
    ...readdirSync(path)
      .sort()
      .map((entry) => filesOf(join(path, entry), prefix ? `${prefix}/${entry}` : entry)),
  ) as Record<string, string>;
}

function composeSide(database: 'sqlite' | 'postgres'): Record<string, Snapshot> {
  const composeDir = join(root, 'compose');
  const services = (loadAll(join(composeDir, 'compose.yaml'))[0] as { services: Record<string, any> })
    .services;
  if (database === 'postgres') {
    const override = (
      loadAll(join(composeDir, 'compose.postgres.yaml'))[0] as { services: Record<string, any> }
    ).services;
    Object.assign(services['task-api'].environment, override['task-api'].environment);
  } else {
    delete services['postgres'];
  }
  // Compose's health sidecars probe images that cannot probe themselves; the kubelet probes them.
  for (const component of stack.components) {
    if (composeOptions[component.name].probe.kind === 'sidecar')
      delete services[healthServiceName(component.name)];
  }
  return Object.fromEntries(
    Object.entries(services).map(([name, service]) => {
      const config: Record<string, string> = {};
      const volumes: string[] = [];
      for (const volume of (service.volumes ?? []) as string[]) {
        const [source, target] = volume.split(':') as [string, string];
        if (!source.startsWith('.')) {
          volumes.push(target);
          continue;
        }
        for (const [file, text] of Object.entries(filesOf(join(composeDir, source)))) {
          const key = statSync(join(composeDir, source)).isDirectory() ? posix.join(target, file) : target;
          config[key] = text;
        }
      }
      const [uid, gid] = String(service.user).split(':').map(Number);
      const memory = String(service.deploy.resources.limits.memory);
      return [
        name,
        {
          image: service.image,
          args: ((service.command ?? []) as string[]).map(composeValue),
          ports: ((service.expose ?? []) as string[]).map(Number),
          env: Object.fromEntries(
            Object.entries(service.environment ?? {}).map(([k, v]) => [k, composeValue(String(v))]),
          ),
          config,
          volumes,
          user: [uid, gid],
          readOnlyRoot: service.read_only,
          scratch: ((service.tmpfs ?? []) as string[]).map((entry) => entry.split(':')[0]),
          memoryMiB: memory.endsWith('G') ? Number(memory.slice(0, -1)) * 1024 : Number(memory.slice(0, -1)),
          cpus: Number(service.deploy.resources.limits.cpus),
          health: service.healthcheck?.test ?? null,
        },
      ];
    }),
  );
}

function kubernetesSide(props: LabChartProps): Record<string, Snapshot> {
  const manifests = synthLab(props);
  const configMaps = new Map(
    manifests
      .filter((m) => m.kind === 'ConfigMap')
      .map((m) => [m.metadata.name, (m['data'] ?? {}) as Record<string, string>]),
  );
  const workloads = manifests.filter(
    (m): m is Manifest & { spec: any } => m.kind === 'Deployment' || m.kind === 'StatefulSet',
  );
  return Object.fromEntries(
    workloads.map((workload) => {
      const pod = workload.spec.template.spec;
      const container = pod.containers[0];
      const volumes = new Map<string, any>((pod.volumes ?? []).map((v: any) => [v.name, v]));
      const config: Record<string, string> = {};
      const scratch: string[] = [];
      const data: string[] = [];
      for (const mount of container.volumeMounts ?? []) {
        const volume = volumes.get(mount.name);
        if (volume?.configMap) {
          const contents = configMaps.get(volume.configMap.name)!;
          for (const item of volume.configMap.items as { key: string; path: string }[]) {
            if (mount.subPath && mount.subPath !== item.path) continue;
            config[mount.subPath ? mount.mountPath : posix.join(mount.mountPath, item.path)] =
              contents[item.key]!;
          }
        } else if (volume?.secret) {
          // A Secret mounted as files: compared through the variable that points at it (env).
        } else if (mount.name.startsWith('scratch-')) {
          scratch.push(mount.mountPath);
        } else {
          data.push(mount.mountPath);
        }
      }
      const cpu = String(container.resources.limits.cpu);
      return [
        workload.metadata.name,
        {
          image: container.image,
          args: container.args ?? [],
          ports: (container.ports as { containerPort: number }[]).map((p) => p.containerPort),
          env: Object.fromEntries(
            // A Secret mounted as a file stands for the variable compose reads from .env.
            (container.env ?? []).map((e: any) =>
              String(e.value).startsWith('/run/secrets/')
                ? [e.name.replace(/_?_FILE$/, ''), '<secret>']
                : [e.name, e.value],
            ),
          ),
          config,
          volumes: data,
          user: [container.securityContext.runAsUser, container.securityContext.runAsGroup],
          readOnlyRoot: container.securityContext.readOnlyRootFilesystem,
          scratch,
          memoryMiB: Number(String(container.resources.limits.memory).replace('Mi', '')),
          cpus: Number(cpu.replace('m', '')) / 1000,
          health: container.readinessProbe,
        },
      ];
    }),
  );
}

/** Every difference as `component/aspect[/key]`. */
function differences(compose: Record<string, Snapshot>, kubernetes: Record<string, Snapshot>): string[] {
  const found: string[] = [];
  assert.deepEqual(Object.keys(kubernetes).sort(), Object.keys(compose).sort(), 'the same components');
  for (const [name, left] of Object.entries(compose)) {
    const right = kubernetes[name]!;
    for (const aspect of Object.keys(left)) {
      const a = left[aspect];
      const b = right[aspect];
      if (aspect === 'env' || aspect === 'config') {
        const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
        for (const key of keys) {
          const left = (a as Record<string, string>)[key];
          const right = (b as Record<string, string>)[key];
          const label = aspect === 'config' ? posix.basename(key) : key;
          if (left !== right) found.push(`${name}/${aspect}/${label}`);
        }
      } else if (aspect === 'health') {
        found.push(`*/health`);
      } else if (JSON.stringify(a) !== JSON.stringify(b)) {
        found.push(`${name}/${aspect}`);
      }
    }
  }
  return [...new Set(found)];
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`compose and Kubernetes renderings agree (${database})`, () => {
    const compose = composeSide(database);
    const kubernetes = kubernetesSide({ database });

    it('differ only where the platform requires it (the commented list of allowed differences)', () => {
      const unexpected = differences(compose, kubernetes).filter((d) => !(d in allowedDifferences));
      assert.deepEqual(unexpected, [], 'differences not on the allowed list');
    });

    it('use the same images, container ports and config files, byte for byte, outside that list', () => {
      for (const name of Object.keys(compose)) {
        assert.equal(kubernetes[name]!['image'], compose[name]!['image'], name);
        assert.deepEqual(kubernetes[name]!['ports'], compose[name]!['ports'], name);
        const configs = Object.keys(compose[name]!['config'] as object);
        for (const target of configs) {
          if (`${name}/config/${posix.basename(target)}` in allowedDifferences) continue;
          assert.equal(
            (kubernetes[name]!['config'] as any)[target],
            (compose[name]!['config'] as any)[target],
            `${name} ${target}`,
          );
        }
      }
    });
  });
}

describe('the allowed differences', () => {
  it('are all still needed (a stale entry hides nothing, so remove it)', () => {
    const used = new Set<string>();
    for (const database of ['sqlite', 'postgres'] as const) {
      for (const d of differences(composeSide(database), kubernetesSide({ database }))) used.add(d);
    }
    assert.deepEqual(
      Object.keys(allowedDifferences).filter((d) => !used.has(d)),
      [],
    );
  });

  it('catch a real drift: an image override is reported', () => {
    const drifted = differences(
      composeSide('sqlite'),
      kubernetesSide({ images: { loki: 'grafana/loki:9.9.9' } }),
    );
    assert.ok(drifted.includes('loki/image'));
  });
});
