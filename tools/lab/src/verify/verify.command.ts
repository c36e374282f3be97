import { Command } from 'commander';
import { LabError } from '../lab.error.js';
import { namesOption, numberOption, seconds, urlOption } from '../options/option.parsers.js';
import type { LabEndpoints } from './lab-endpoints.js';
import {
  CHECK_NAMES,
  CHECKS,
  CheckFailure,
  type CheckName,
  newTraceId,
  type VerifyContext,
} from './verify.checks.js';

interface VerifyOptions {
  url: URL;
  grafanaUrl?: URL;
  grafanaUser: string;
  prometheusUrl?: URL;
  tempoUrl?: URL;
  lokiUrl?: URL;
  only?: CheckName[];
  without: string[];
  wait: number;
}

/** Components a lab may run without, and the check that then has nothing to look at. */
const optionalComponents: Readonly<Record<string, CheckName | undefined>> = {
  tempo: 'traces',
  loki: 'logs',
  grafana: 'grafana',
};
const optionalNames = Object.keys(optionalComponents);

export interface CheckReport {
  name: CheckName;
  status: 'passed' | 'failed' | 'skipped';
  detail: string;
  hint?: string;
}

const say = (line: string) => console.log(line);

/** `lab verify`: the story's manual verification checklist, automated against a deployed lab. */
export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      'Check a deployed lab end to end: send requests with a known trace id through the frontend, then confirm the trace is in Tempo, its logs in Loki, the requests counted by Prometheus with every target up, and Grafana serving its datasources and dashboards. Backends are reached through Grafana (only the frontend and Grafana are published) unless their own URL is given.',
    )
    .addOption(
      urlOption('--url <url>', 'the frontend, e.g. http://192.168.122.250:8080').makeOptionMandatory(),
    )
    .addOption(
      urlOption(
        '--grafana-url <url>',
        'Grafana, e.g. http://192.168.122.250:3000 (admin password from GRAFANA_ADMIN_PASSWORD)',
      ),
    )
    .option('--grafana-user <name>', 'Grafana user', 'admin')
    .addOption(urlOption('--prometheus-url <url>', 'Prometheus directly, instead of through Grafana'))
    .addOption(urlOption('--tempo-url <url>', 'Tempo directly, instead of through Grafana'))
    .addOption(urlOption('--loki-url <url>', 'Loki directly, instead of through Grafana'))
    .addOption(
      namesOption('--only <checks>', `run only these checks (comma-separated: ${CHECK_NAMES.join(', ')})`, {
        noun: 'check',
        names: CHECK_NAMES,
      }),
    )
    .addOption(
      namesOption(
        '--without <components>',
        `components the lab runs without (comma-separated: ${optionalNames.join(', ')}): their checks are skipped and their scrape targets may be down`,
        { noun: 'component', names: optionalNames },
      ).default([]),
    )
    .addOption(
      numberOption(
        '--wait <seconds>',
        'how long to wait for telemetry to reach each backend',
        seconds,
      ).default(90),
    )
    .action(async (options: VerifyOptions) => {
      const reports = await verify(endpointsOf(options), {
        only: options.only,
        without: options.without,
        waitMs: options.wait * 1000,
      });
      const failed = reports.filter((report) => report.status === 'failed');
      if (failed.length > 0) {
        throw new LabError(
          `${failed.length} check(s) failed: ${failed.map((report) => report.name).join(', ')}`,
          failed.map((report) => `${report.name}: ${report.hint ?? ''}`).join('\n  → '),
        );
      }
    });
}

function endpointsOf(options: VerifyOptions): LabEndpoints {
  const password = process.env['GRAFANA_ADMIN_PASSWORD'];
  if (options.grafanaUrl && !password) {
    throw new LabError(
      '--grafana-url needs the Grafana admin password',
      'export GRAFANA_ADMIN_PASSWORD=… (the value in compose/.env), then run again',
      2,
    );
  }
  return {
    app: options.url,
    ...(options.grafanaUrl && password
      ? { grafana: { url: options.grafanaUrl, user: options.grafanaUser, password } }
      : {}),
    ...(options.prometheusUrl ? { prometheus: options.prometheusUrl } : {}),
    ...(options.tempoUrl ? { tempo: options.tempoUrl } : {}),
    ...(options.lokiUrl ? { loki: options.lokiUrl } : {}),
  };
}

/** Runs the checks in order, printing progress; returns one report per check. */
export async function verify(
  endpoints: LabEndpoints,
  settings: {
    only?: readonly CheckName[];
    without?: readonly string[];
    waitMs: number;
    requestTimeoutMs?: number;
  },
): Promise<CheckReport[]> {
  const without = settings.without ?? [];
  const offChecks = new Set(without.map((component) => optionalComponents[component]));
  for (const check of settings.only ?? []) {
    if (offChecks.has(check))
      throw new LabError(`check "${check}" cannot run on a lab --without ${without.join(',')}`, undefined, 2);
  }
  const selected = CHECKS.filter((check) => !settings.only || settings.only.includes(check.name));
  for (const check of selected) {
    const reason = settings.only ? check.unavailable(endpoints) : undefined;
    if (reason) throw new LabError(`cannot run check "${check.name}": ${reason}`, undefined, 2);
  }
  const context: VerifyContext = {
    endpoints,
    traceId: newTraceId(),
    waitMs: settings.waitMs,
    requestTimeoutMs: settings.requestTimeoutMs ?? 10_000,
    without,
  };
  say(`lab verify: ${endpoints.app.origin}, trace id ${context.traceId}`);
  const reports: CheckReport[] = [];
  let requestsFailed = false;
  for (const check of selected) {
    const off = without.find((component) => optionalComponents[component] === check.name);
    const reason =
      (off ? `the lab runs --without ${off}` : undefined) ??
      check.unavailable(endpoints) ??
      (requestsFailed && check.name !== 'grafana' && check.name !== 'targets' && check.name !== 'app'
        ? 'the requests check failed, so there is nothing to look for'
        : undefined);
    if (reason) {
      reports.push({ name: check.name, status: 'skipped', detail: reason });
      say(`  - ${check.name}: skipped (${reason})`);
      continue;
    }
    say(`  … ${check.name}: ${check.title}`);
    const started = performance.now();
    try {
      const { detail } = await check.run(context);
      reports.push({ name: check.name, status: 'passed', detail });
      say(`  ✔ ${check.name}: ${detail} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const failure =
        error instanceof CheckFailure
          ? error
          : new CheckFailure((error as Error).message, 'is the URL right and the lab up?');
      if (check.name === 'requests') requestsFailed = true;
      reports.push({ name: check.name, status: 'failed', detail: failure.message, hint: failure.hint });
      say(`  ✖ ${check.name}: ${failure.message}\n      → ${failure.hint}`);
    }
  }
  const count = (status: CheckReport['status']) =>
    reports.filter((report) => report.status === status).length;
  say(`${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  return reports;
}
