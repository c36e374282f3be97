import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CrdMissingError, jsonLogger, startOperator } from '@obslab/operator';
import { Command } from 'commander';
import { LabError } from '../lab.error.js';
import {
  atLeastOne,
  listenAddressOption,
  numberOption,
  parseListenAddress,
} from '../options/option.parsers.js';

/** Options of `lab operator run`. */
export interface OperatorRunOptions {
  kubeconfig?: string;
  context?: string;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaseName: string;
  probesAddress: string;
  concurrency: number;
  identity?: string;
  clusterDnsIp?: string;
  clusterDomain?: string;
  resyncSeconds: number;
}

/** `lab operator run`: the ObservabilityLab operator, in-cluster or against a kubeconfig. */
export function operatorCommand(): Command {
  const operator = new Command('operator').description(
    'The ObservabilityLab operator: reconciles lab.obslab.dev/v1alpha1 ObservabilityLab resources into the lab (install its CRD with kubectl apply --server-side -f operator/dist/).',
  );
  operator
    .command('run')
    .description(
      'run the operator in the foreground: in a pod it uses its ServiceAccount; elsewhere KUBECONFIG, ~/.kube/config or --kubeconfig. Stops cleanly on SIGTERM/SIGINT.',
    )
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: current-context)')
    .option('--leader-elect', 'hold a coordination.k8s.io Lease so that only one replica reconciles', false)
    .option('--leader-election-namespace <namespace>', 'namespace of the Lease', 'obslab-system')
    .option('--lease-name <name>', 'name of the Lease', 'obslab-operator')
    .addOption(
      listenAddressOption(
        '--probes-address <host:port>',
        '/metrics, /healthz and /readyz listen here (off: none)',
      ).default('127.0.0.1:8080'),
    )
    .addOption(numberOption('--concurrency <n>', 'labs reconciled at once', atLeastOne).default(4))
    .option('--identity <name>', 'this replica in the Lease and in Events (default: $POD_NAME or host-pid)')
    .option('--cluster-dns-ip <ip>', "the cluster DNS Service IP, nginx's resolver (default: 10.96.0.10)")
    .option('--cluster-domain <domain>', 'the cluster DNS domain (default: cluster.local)')
    .addOption(
      numberOption(
        '--resync-seconds <n>',
        'reconcile every lab again this often, from the cache',
        atLeastOne,
      ).default(600),
    )
    .action(async (options: OperatorRunOptions) => runOperator(options));
  return operator;
}

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function loadKubeconfig(options: OperatorRunOptions): KubeConfig {
  const defaultFile = join(process.env['HOME'] || homedir(), '.kube/config');
  if (
    !options.kubeconfig &&
    !process.env['KUBECONFIG'] &&
    !existsSync(defaultFile) &&
    !existsSync(serviceAccountToken)
  ) {
    // The client would fall back to http://localhost:8080 and fail later with a TLS message.
    throw new LabError(
      `no kubeconfig: --kubeconfig is not given, KUBECONFIG is not set, ${defaultFile} does not exist, and this is not a pod`,
      'try a local control plane: npx lab cluster up, then export the KUBECONFIG=… line it prints; or pass --kubeconfig <file>',
      2,
    );
  }
  const kubeconfig = new KubeConfig();
  try {
    if (options.kubeconfig) kubeconfig.loadFromFile(options.kubeconfig);
    else kubeconfig.loadFromDefault();
    if (options.context) kubeconfig.setCurrentContext(options.context);
  } catch (error) {
    throw new LabError(
      `cannot load the kubeconfig: ${(error as Error).message}`,
      'pass --kubeconfig <file> or set KUBECONFIG (lab cluster up prints one)',
      2,
    );
  }
  if (!kubeconfig.getCurrentCluster()) {
    throw new LabError(
      'the kubeconfig has no current cluster',
      'pass --kubeconfig <file>, set KUBECONFIG, or pick one with --context',
      2,
    );
  }
  return kubeconfig;
}

export async function runOperator(options: OperatorRunOptions): Promise<void> {
  const kubeconfig = loadKubeconfig(options);
  const identity = options.identity ?? process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`;
  let running;
  try {
    running = await startOperator({
      kubeconfig,
      identity,
      leaderElection: options.leaderElect
        ? { namespace: options.leaderElectionNamespace, name: options.leaseName }
        : false,
      probes: parseListenAddress('--probes-address', options.probesAddress),
      concurrency: options.concurrency,
      resyncMs: options.resyncSeconds * 1000,
      cluster: {
        ...(options.clusterDnsIp ? { dnsServiceIp: options.clusterDnsIp } : {}),
        ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
      },
      log: jsonLogger,
    });
  } catch (error) {
    if (error instanceof CrdMissingError) {
      throw new LabError(error.message, 'kubectl apply --server-side -f operator/dist/00-crd.k8s.yaml', 1);
    }
    throw new LabError(
      `the operator could not start against ${kubeconfig.getCurrentCluster()?.server}: ${(error as Error).message}`,
      'is the cluster up and reachable from here, and the kubeconfig right? (kubectl get namespaces)',
      1,
    );
  }
  jsonLogger('info', 'operator started', {
    identity,
    server: kubeconfig.getCurrentCluster()?.server,
    probes: running.probesUrl ?? 'off',
    leaderElection: options.leaderElect,
  });
  const stop = (signal: string) => {
    jsonLogger('info', `${signal}: stopping (releasing the lease, finishing passes in progress)`);
    void running.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await running.done;
  } catch (error) {
    throw new LabError(
      `operator stopped: ${(error as Error).message}`,
      'see the log lines above; it is safe to start it again',
      1,
    );
  }
  jsonLogger('info', 'operator stopped');
}
