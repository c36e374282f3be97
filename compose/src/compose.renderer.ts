import { posix } from 'node:path';
import {
  componentOf,
  endpointUrl,
  formatImageRef,
  portOf,
  type Component,
  type ComponentName,
  type DatabaseMode,
  type EnvValue,
  type Stack,
} from '@obslab/stack';
import { Document, stringify } from 'yaml';
import { bindAddress, composeOptions, healthServiceName, probeSidecarImageOf } from './compose.options.js';

/** Options of {@link renderCompose}. */
export interface RenderComposeOptions {
  /** Directory of the compose file, relative to the workspace root. Default: `compose`. */
  readonly composeDir?: string;
  /** The command that regenerates the file, named in its header. Default: `npx nx run compose:render`. */
  readonly generator?: string;
}

type ComposeValue = string | number | boolean | null | ComposeValue[] | { [key: string]: ComposeValue };
type ComposeMap = { [key: string]: ComposeValue };

const healthTiming = { interval: '10s', timeout: '5s', retries: 5 } as const;
const defaultGenerator = 'npx nx run compose:render';

/** Facts of the compose platform that the stack leaves to its renderers. */
export const composePlatform = {
  /** Docker's embedded DNS server, on every user-defined network. */
  dnsResolver: '127.0.0.11',
} as const;

/**
 * `${VAR:-default}`, `${VAR:?hint}` or the literal value, for compose interpolation; endpoints
 * name the short service name on the project network, ports their number.
 */
export function composeEnvValue(value: EnvValue, stack: Stack, component: Component): string {
  switch (value.kind) {
    case 'literal':
      // `$` starts an interpolation in compose files; a literal one is written `$$`.
      return value.value.replaceAll('$', '$$');
    case 'setting':
      return `\${${value.variable}:-${value.default}}`;
    case 'secret':
      return `\${${value.variable}:?${value.hint}}`;
    case 'port':
      return String(portOf(component, value.port).containerPort);
    case 'endpoint':
      return endpointUrl(stack, value, value.to);
    case 'platform':
      return composePlatform.dnsResolver;
  }
}

/** Components that run only with a database mode other than the default are behind a profile of that name. */
function profileOf(component: Component): DatabaseMode | undefined {
  return component.database;
}

function memory(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

function relativeToCompose(composeDir: string, workspacePath: string): string {
  const relative = posix.relative(composeDir, workspacePath) || '.';
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function tmpfsEntry(path: string, user: string): string {
  const [uid, gid] = user.split(':');
  return `${path}:uid=${uid},gid=${gid}`;
}

function renderService(stack: Stack, component: Component, composeDir: string): ComposeMap {
  const options = composeOptions[component.name];
  const service: ComposeMap = { image: formatImageRef(component.image.image) };
  if (component.image.kind === 'build') {
    service.build = {
      context: relativeToCompose(composeDir, component.image.context),
      dockerfile: component.image.dockerfile,
    };
  }
  const profile = profileOf(component);
  if (profile) service.profiles = [profile];
  if (component.args.length > 0) service.command = [...component.args];
  service.user = component.security.user;
  service.read_only = component.security.readOnlyRootFilesystem;
  service.security_opt = ['no-new-privileges:true'];
  service.cap_drop = ['ALL'];
  if (component.scratch.length > 0) {
    service.tmpfs = component.scratch.map((path) => tmpfsEntry(path, component.security.user));
  }
  const env = Object.entries(component.env);
  if (env.length > 0)
    service.environment = Object.fromEntries(env.map(([k, v]) => [k, composeEnvValue(v, stack, component)]));
  const published = component.ports.filter((port) => port.userFacing);
  if (published.length > 0) {
    service.ports = published.map((port) => {
      const host = options.publish?.[port.name];
      if (!host) {
        throw new Error(
          `${component.name}: user-facing port ${port.name} has no host port in compose.options.ts (publish)`,
        );
      }
      return `\${${bindAddress.variable}:-${bindAddress.default}}:\${${host.variable}:-${host.default}}:${port.containerPort}`;
    });
  }
  service.expose = component.ports.map((port) => String(port.containerPort));
  const volumes: ComposeValue[] = [
    ...component.volumes.map((volume) => `${volume.name}:${volume.target}`),
    ...component.config.map((mount) => `${relativeToCompose(composeDir, mount.source)}:${mount.target}:ro`),
  ];
  if (volumes.length > 0) service.volumes = volumes;
  const test = healthcheckTest(component);
  if (test) service.healthcheck = { test, ...healthTiming, start_period: `${options.startPeriodSeconds}s` };
  // A dependency behind a profile is waited for by the override that turns the profile on.
  const dependencies = component.dependsOn.filter((d) => !profileOf(componentOf(stack, d.component)));
  if (dependencies.length > 0) {
    service.depends_on = Object.fromEntries(
      dependencies.flatMap((dependency) => dependsOnEntries(dependency.component)),
    );
  }
  Object.assign(service, serviceDefaults(component.resources.memoryMiB, component.resources.cpus));
  return service;
}

/** The component's own healthcheck: the compose option's command, or wget of the stack's health endpoint. */
function healthcheckTest(component: Component): string[] | undefined {
  const probe = composeOptions[component.name].probe;
  switch (probe.kind) {
    case 'command':
      return [...probe.test];
    case 'wget':
      // busybox and GNU wget both take these flags.
      return ['CMD', 'wget', '-q', '-O', '/dev/null', healthUrl(component, '127.0.0.1')];
    case 'sidecar':
      return undefined;
  }
}

/** The URL of the component's HTTP health endpoint on `host`. */
function healthUrl(component: Component, host: string): string {
  const { health } = component;
  if (health.kind !== 'http') {
    throw new Error(
      `${component.name}: probing over HTTP (wget, a health sidecar) needs an HTTP health endpoint in the stack, not ${health.kind}`,
    );
  }
  return `http://${host}:${portOf(component, health.port).containerPort}${health.path}`;
}

/** Waits for a dependency's own healthcheck, or for its health sidecar when its image has none. */
function dependsOnEntries(name: ComponentName): [string, ComposeValue][] {
  const probe = composeOptions[name].probe;
  if (probe.kind !== 'sidecar') return [[name, { condition: 'service_healthy' }]];
  return [
    [name, { condition: 'service_started' }],
    [healthServiceName(name), { condition: 'service_healthy' }],
  ];
}

function serviceDefaults(memoryMiB: number, cpus: number): ComposeMap {
  return {
    restart: 'unless-stopped',
    deploy: { resources: { limits: { memory: memory(memoryMiB), cpus: String(cpus) } } },
    logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
  };
}

/** Memory and CPU of a health sidecar: a shell that sleeps, and wget every interval. */
export const healthSidecarResources = { memoryMiB: 16, cpus: 0.1 } as const;

/**
 * `<name>-health`: probes a component whose image cannot run a healthcheck (see ComposeProbe). It
 * runs the lab's Prometheus image (a shell and wget), idles, and its healthcheck fetches the
 * component's health URL over the compose network, so `up --wait` and `depends_on` see the
 * component's real health.
 */
function renderHealthSidecar(stack: Stack, component: Component): ComposeMap {
  const url = healthUrl(component, component.name);
  const prober = componentOf(stack, probeSidecarImageOf);
  const service: ComposeMap = { image: formatImageRef(prober.image.image) };
  const profile = profileOf(component);
  if (profile) service.profiles = [profile];
  // sh as PID 1 ignores SIGTERM unless it traps it; `wait` keeps the trap responsive.
  service.entrypoint = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $$!; done"];
  service.user = prober.security.user;
  service.read_only = true;
  service.security_opt = ['no-new-privileges:true'];
  service.cap_drop = ['ALL'];
  service.healthcheck = {
    test: ['CMD', 'wget', '-q', '-O', '/dev/null', url],
    ...healthTiming,
    start_period: `${composeOptions[component.name].startPeriodSeconds}s`,
  };
  service.depends_on = { [component.name]: { condition: 'service_started' } };
  Object.assign(service, serviceDefaults(healthSidecarResources.memoryMiB, healthSidecarResources.cpus));
  return service;
}

/** Every service of the lab: the components, each followed by its health sidecar if it needs one. */
function renderServices(stack: Stack, composeDir: string): ComposeMap {
  return Object.fromEntries(
    stack.components.flatMap((component): [string, ComposeValue][] => {
      const probe = composeOptions[component.name].probe;
      const own: [string, ComposeValue] = [component.name, renderService(stack, component, composeDir)];
      return probe.kind === 'sidecar'
        ? [own, [healthServiceName(component.name), renderHealthSidecar(stack, component)]]
        : [own];
    }),
  );
}

function header(lines: readonly string[], generator: string): string {
  return [
    `# Generated by \`${generator}\` from libs/stack (the lab's single source of truth): do not edit.`,
    '# Change libs/stack/src, compose/src or compose/config/versions.json and run the command again; a spec fails when this file is stale.',
    ...lines.map((line) => `# ${line}`),
    '',
  ].join('\n');
}

function toYaml(document: ComposeMap): string {
  // YAML 1.1 quoting rules, so that values such as "101:101" or "yes" stay strings for every
  // compose implementation (PyYAML reads YAML 1.1).
  return stringify(document, { version: '1.1', lineWidth: 0, indent: 2, singleQuote: true });
}

/** compose/compose.yaml: every component, the postgres add-on behind the `postgres` profile. */
export function renderCompose(stack: Stack, options: RenderComposeOptions = {}): string {
  const composeDir = options.composeDir ?? 'compose';
  const generator = options.generator ?? defaultGenerator;
  const services = renderServices(stack, composeDir);
  const volumes = Object.fromEntries(stack.components.flatMap((c) => c.volumes.map((v) => [v.name, {}])));
  const document: ComposeMap = { name: stack.name, services, volumes };
  return (
    header(
      [
        'Run: cp compose/.env.example compose/.env, set GRAFANA_ADMIN_PASSWORD, then',
        '  docker compose -f compose/compose.yaml --env-file compose/.env up -d --wait',
        'PostgreSQL instead of SQLite: add -f compose/compose.postgres.yaml (see compose/README.md).',
      ],
      generator,
    ) + toYaml(document)
  );
}

/**
 * compose/compose.postgres.yaml: the postgres database mode. It turns on the components of that
 * mode (their profile), gives their clients the variables of those connections, and makes the
 * clients wait for them.
 */
export function renderComposePostgresOverride(stack: Stack, options: RenderComposeOptions = {}): string {
  const generator = options.generator ?? defaultGenerator;
  const mode: DatabaseMode = 'postgres';
  const addOns = stack.components.filter((c) => profileOf(c) === mode).map((c) => c.name);
  const clients = stack.components.filter((c) => !profileOf(c));
  const services: Record<string, ComposeMap> = {};
  for (const client of clients) {
    const connections = stack.connections.filter((c) => c.from === client.name && addOns.includes(c.to));
    const env = connections.flatMap((c) => Object.entries(c.env ?? {}));
    const waits = client.dependsOn.filter((d) => addOns.includes(d.component));
    if (env.length === 0 && waits.length === 0) continue;
    services[client.name] = {
      ...(env.length > 0
        ? { environment: Object.fromEntries(env.map(([k, v]) => [k, composeEnvValue(v, stack, client)])) }
        : {}),
      ...(waits.length > 0
        ? { depends_on: Object.fromEntries(waits.flatMap((d) => dependsOnEntries(d.component))) }
        : {}),
    };
  }
  // Including this file is the opt-in: `!reset` removes the add-on's profile (compose >= 2.24).
  for (const addOn of addOns) services[addOn] = { profiles: [] };
  const document = new Document({ services }, { version: '1.1' });
  for (const addOn of addOns) {
    const profiles = document.createNode([]);
    profiles.tag = '!reset';
    document.setIn(['services', addOn, 'profiles'], profiles);
  }
  return (
    header(
      [
        'The postgres add-on: task-api uses PostgreSQL (DATABASE_URL) and starts after it is healthy.',
        '  docker compose -f compose/compose.yaml -f compose/compose.postgres.yaml --env-file compose/.env up -d --wait',
      ],
      generator,
    ) + document.toString({ lineWidth: 0, indent: 2, singleQuote: true })
  );
}
