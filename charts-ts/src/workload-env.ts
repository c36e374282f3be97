// Container environment on Kubernetes: the stack's values, endpoints as Service names, platform
// facts from the props, and secrets as files mounted from user-created Secrets.
import { endpointUrl, portOf, type Component, type EnvValue } from '@obslab/stack';
import { type k8s } from 'cdk8s-plus-34';
import { type ResolvedLabProps } from './lab.props.js';

/**
 * The host a component reaches `to` by: the Service's short name (the pod's DNS search path
 * completes it), or its fully qualified name for a component that resolves names itself.
 */
export function serviceHostFor(component: Component, to: string, lab: ResolvedLabProps): string {
  return component.resolvesNamesItself ? `${to}.${lab.namespace}.svc.${lab.clusterDomain}` : to;
}

/** The variable `name` of `component`, as Kubernetes gets it. */
export function envVar(
  name: string,
  value: EnvValue,
  component: Component,
  lab: ResolvedLabProps,
): k8s.EnvVar {
  switch (value.kind) {
    case 'literal':
      return { name, value: value.value };
    case 'setting':
      return { name, value: lab.settings[value.variable] ?? value.default };
    case 'secret': {
      const ref = secretRefs(lab)[value.variable];
      if (!ref)
        throw new Error(
          `LabChart: the stack's secret ${value.variable} has no Secret on Kubernetes; add it to secretRefs`,
        );
      // Never in the environment (readable in /proc, inherited by children, printed by crash
      // dumps): the Secret is mounted and the program is told where its file is.
      return { name: secretFileVariable(name), value: secretFilePath(ref) };
    }
    case 'port':
      return { name, value: String(portOf(component, value.port).containerPort) };
    case 'endpoint':
      return { name, value: endpointUrl(lab.stack, value, serviceHostFor(component, value.to, lab)) };
    case 'platform':
      // nginx's resolver: it resolves at start and per request, so it needs the DNS server's address.
      return { name, value: lab.dnsServiceIp };
  }
}

/** Where a workload's Secrets are mounted: one read-only directory per Secret. */
export const secretsDir = '/run/secrets';

/** `/run/secrets/<secret>/<key>`: the file holding one key of a Secret. */
export function secretFilePath(ref: { name: string; key: string }): string {
  return `${secretsDir}/${ref.name}/${ref.key}`;
}

/**
 * The variable through which a program reads a setting from a file: Grafana's `GF_…__FILE`, the
 * `_FILE` of PostgreSQL's image and of task-api (`DATABASE_URL_FILE`).
 */
export function secretFileVariable(name: string): string {
  return name.startsWith('GF_') ? `${name}__FILE` : `${name}_FILE`;
}

/** The Secrets whose files `env` points at. */
export function mountedSecrets(env: readonly k8s.EnvVar[]): string[] {
  const names = env
    .map((e) => e.value ?? '')
    .filter((value) => value.startsWith(`${secretsDir}/`))
    .map((value) => value.slice(secretsDir.length + 1).split('/')[0]!);
  return [...new Set(names)].sort();
}

/** The Secret and key that hold each of the stack's secret variables on Kubernetes (created by the user). */
export function secretRefs(lab: ResolvedLabProps): Record<string, { name: string; key: string }> {
  return {
    GRAFANA_ADMIN_USER: { name: lab.grafanaAdminSecretName, key: 'admin-user' },
    GRAFANA_ADMIN_PASSWORD: { name: lab.grafanaAdminSecretName, key: 'admin-password' },
    POSTGRES_PASSWORD: { name: lab.postgresSecretName, key: 'password' },
    DATABASE_URL: { name: lab.postgresSecretName, key: 'database-url' },
  };
}

/** An environment variable read from the Secret that holds `variable`. */
export function secretEnv(name: string, variable: string, lab: ResolvedLabProps): k8s.EnvVar {
  const ref = secretRefs(lab)[variable];
  if (!ref)
    throw new Error(
      `LabChart: the stack's secret ${variable} has no Secret on Kubernetes; add it to secretRefs`,
    );
  return { name: secretFileVariable(name), value: secretFilePath(ref) };
}
