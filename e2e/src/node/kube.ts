// kubectl for the real-node suite: JSON reads, waits on pod readiness, port-forwards on loopback and
// TCP probes from inside pods (the way a flow is allowed or blocked by a NetworkPolicy).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CommandError, eventually, run } from '@obslab/process';

export interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; uid: string };
  spec: { nodeName?: string };
  status: {
    phase: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number; containerID?: string }[];
  };
}

/** kubectl bound to one kubeconfig. */
export class Kube {
  constructor(
    readonly kubectlBin: string,
    readonly kubeconfig: string,
  ) {}

  async kubectl(args: readonly string[], input?: string): Promise<string> {
    const { stdout } = await run(this.kubectlBin, ['--kubeconfig', this.kubeconfig, ...args], {
      timeoutMs: 120_000,
      ...(input === undefined ? {} : { input }),
    });
    return stdout;
  }

  async json<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.kubectl(['get', '-o', 'json', ...args])) as T;
  }

  async pods(namespace: string, selector?: string): Promise<Pod[]> {
    return (
      await this.json<{ items: Pod[] }>(['-n', namespace, 'pods', ...(selector ? ['-l', selector] : [])])
    ).items;
  }

  /** Waits until the namespace has pods and every one is Running and Ready; returns them. */
  async allReady(namespace: string, timeoutMs: number, expectPods?: number): Promise<Pod[]> {
    return eventually(
      async () => {
        const pods = (await this.pods(namespace)).filter((p) => p.status.phase !== 'Succeeded');
        if (pods.length === 0) throw new Error(`no pods in ${namespace} yet`);
        if (expectPods !== undefined && pods.length !== expectPods)
          throw new Error(`${pods.length} pods in ${namespace}, want ${expectPods}`);
        const notReady = pods.filter((p) => !isReady(p));
        if (notReady.length > 0) {
          throw new Error(
            `not ready in ${namespace}: ${notReady.map((p) => `${p.metadata.name} (${p.status.phase}${waitingReasons(p)})`).join(', ')}`,
          );
        }
        return pods;
      },
      { timeoutMs, intervalMs: 1_000, description: `every pod in ${namespace} Running and Ready` },
    );
  }

  /** Runs a command in a pod's first container; resolves with its exit code and output. */
  async exec(
    namespace: string,
    pod: string,
    command: readonly string[],
  ): Promise<{ code: number; output: string }> {
    try {
      const output = await this.kubectl(['-n', namespace, 'exec', pod, '--', ...command]);
      return { code: 0, output };
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return { code: error.exitCode ?? 1, output: error.message };
    }
  }

  /** `kubectl port-forward` of a Service (or pod) to a free loopback port. */
  async portForward(namespace: string, target: string, remotePort: number): Promise<PortForward> {
    const child = spawn(
      this.kubectlBin,
      [
        '--kubeconfig',
        this.kubeconfig,
        '-n',
        namespace,
        'port-forward',
        '--address',
        '127.0.0.1',
        target,
        `:${remotePort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`port-forward ${target}: no port in 30 s (${output})`)),
        30_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`port-forward ${target} exited (${code}): ${output}`));
      });
    });
    return new PortForward(child, `http://127.0.0.1:${port}`);
  }
}

export class PortForward {
  constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}

export function isReady(pod: Pod): boolean {
  return (
    pod.status.phase === 'Running' &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

export function restarts(pod: Pod): number {
  return (pod.status.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0);
}

function waitingReasons(pod: Pod): string {
  const statuses = (pod.status as { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] })
    .containerStatuses;
  const reasons = (statuses ?? []).map((c) => c.state?.waiting?.reason).filter(Boolean);
  return reasons.length > 0 ? `: ${reasons.join(', ')}` : '';
}

/**
 * A bash TCP connect from inside a pod, bounded in time: exit 0 when the connection opens, non-zero
 * when it is refused or (as a NetworkPolicy drop looks) times out.
 */
export function bashConnect(host: string, port: number, seconds = 4): string[] {
  return ['bash', '-c', `timeout ${seconds} bash -c 'exec 3<>/dev/tcp/${host}/${port}' && echo connected`];
}

/** The same with Node (task-api's image has no bash). */
export function nodeConnect(host: string, port: number, ms = 4_000): string[] {
  return [
    'node',
    '-e',
    `const s=require('net').connect(${port},${JSON.stringify(host)},()=>{console.log('connected');process.exit(0)});s.setTimeout(${ms},()=>{console.log('timeout');process.exit(3)});s.on('error',e=>{console.log(e.code);process.exit(4)})`,
  ];
}
