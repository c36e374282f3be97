import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cniConfig, containerdConfig, containerdPaths } from './containerd.js';
import {
  clusterDnsObjects,
  corefile,
  kubeletConfig,
  kubeProxyConfig,
  localVolumes,
} from './node-components.js';
import { defaultNodeNetwork, mountsUnder } from './node-host.js';
import { normalizeImageRef } from './oci-image.js';

const network = defaultNodeNetwork;

describe('real node configuration', () => {
  it('keeps containerd’s state, socket and CNI config inside the node’s folder, with cgroupfs and the OOM-score fix', () => {
    const paths = containerdPaths('/x/node/containerd');
    const toml = containerdConfig(paths);
    for (const line of [
      'root = "/x/node/containerd/root"',
      'state = "/x/node/containerd/state"',
      'address = "/x/node/containerd/containerd.sock"',
      'restrict_oom_score_adj = true',
      'SystemdCgroup = false',
      'sandbox_image = "registry.k8s.io/pause:3.10"',
      'conf_dir = "/x/node/containerd/cni/net.d"',
    ]) {
      assert.ok(toml.includes(line), `missing ${line}`);
    }
    assert.doesNotMatch(toml, /\/var\/lib\/containerd|\/run\/containerd/);
  });

  it('puts pods on the harness bridge with host-local addresses and no masquerading', () => {
    const cni = JSON.parse(cniConfig(network, '/x/ipam')) as { plugins: Record<string, unknown>[] };
    const bridge = cni.plugins[0]!;
    assert.equal(bridge['bridge'], 'obslab-br0');
    assert.equal(bridge['ipMasq'], false);
    assert.equal(bridge['hairpinMode'], true);
    assert.deepEqual((bridge['ipam'] as { ranges: unknown }).ranges, [
      [{ subnet: '10.244.77.0/24', gateway: '10.244.77.1' }],
    ]);
  });

  it('runs kubelet with webhook authorization, no anonymous access, no read-only port, on the node address', () => {
    const config = JSON.parse(
      kubeletConfig({
        network,
        port: 10250,
        healthzPort: 10248,
        clientCaFile: '/ca.crt',
        containerdSocket: '/c.sock',
        clusterDnsIp: '10.96.0.10',
        clusterDomain: 'cluster.local',
        resolvConf: '/r.conf',
        cgroupRoot: '/obslab-node',
      }),
    ) as Record<string, unknown>;
    assert.equal(config['address'], '10.244.77.1');
    assert.equal(config['readOnlyPort'], 0);
    assert.deepEqual(config['authentication'], {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: '/ca.crt' },
    });
    assert.deepEqual(config['authorization'], { mode: 'Webhook' });
    assert.equal(config['cgroupDriver'], 'cgroupfs');
    assert.equal(config['cgroupRoot'], '/obslab-node');
    assert.equal(config['healthzBindAddress'], '127.0.0.1');
    assert.deepEqual(config['clusterDNS'], ['10.96.0.10']);
  });

  it('runs kube-proxy in nftables mode with its endpoints on loopback and the machine’s conntrack settings untouched', () => {
    const config = JSON.parse(
      kubeProxyConfig({ network, kubeconfig: '/k', nodeName: 'n', healthzPort: 1, metricsPort: 2 }),
    ) as Record<string, unknown>;
    assert.equal(config['mode'], 'nftables');
    assert.equal(config['healthzBindAddress'], '127.0.0.1:1');
    assert.equal(config['metricsBindAddress'], '127.0.0.1:2');
    assert.deepEqual(config['conntrack'], {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    });
  });

  it('answers the cluster zone from the API and forwards nothing off the machine', () => {
    const text = corefile('cluster.local');
    assert.match(text, /kubernetes cluster\.local in-addr\.arpa/);
    assert.doesNotMatch(text, /forward/);
    assert.match(text, /rcode NXDOMAIN/);
  });

  it('runs CoreDNS as a restricted kube-system pod selected by k8s-app=kube-dns behind 10.96.0.10', () => {
    const objects = clusterDnsObjects({ serviceIp: '10.96.0.10', clusterDomain: 'cluster.local' }) as {
      kind: string;
      spec?: Record<string, unknown>;
    }[];
    const service = objects.find((o) => o.kind === 'Service')!;
    assert.equal(service.spec!['clusterIP'], '10.96.0.10');
    assert.deepEqual(service.spec!['selector'], { 'k8s-app': 'kube-dns' });
    const pod = (
      objects.find((o) => o.kind === 'Deployment')!.spec as {
        template: {
          spec: {
            securityContext: Record<string, unknown>;
            containers: { securityContext: Record<string, unknown> }[];
          };
        };
      }
    ).template.spec;
    assert.equal(pod.securityContext['runAsNonRoot'], true);
    assert.deepEqual(pod.containers[0]!.securityContext['capabilities'], { drop: ['ALL'] });
    assert.equal(pod.containers[0]!.securityContext['readOnlyRootFilesystem'], true);
  });

  it('pre-creates Retain hostPath volumes without a StorageClass', () => {
    const volumes = localVolumes({ dir: '/v', count: 2, size: '100Gi' }) as {
      metadata: { name: string };
      spec: Record<string, unknown>;
    }[];
    assert.deepEqual(
      volumes.map((v) => v.metadata.name),
      ['obslab-local-01', 'obslab-local-02'],
    );
    assert.equal(volumes[0]!.spec['persistentVolumeReclaimPolicy'], 'Retain');
    assert.equal(volumes[0]!.spec['storageClassName'], '');
    assert.deepEqual(volumes[1]!.spec['hostPath'], { path: '/v/pv-02', type: 'DirectoryOrCreate' });
  });

  it('names images as containerd’s CRI looks them up', () => {
    assert.equal(normalizeImageRef('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
    assert.equal(normalizeImageRef('obslab-local/coredns:node'), 'docker.io/obslab-local/coredns:node');
    assert.equal(normalizeImageRef('postgres:18.1-bookworm'), 'docker.io/library/postgres:18.1-bookworm');
    assert.equal(normalizeImageRef('localhost/x:1'), 'localhost/x:1');
  });

  it('lists no mounts under a folder that has none', () => {
    assert.deepEqual(mountsUnder('/nonexistent-obslab-folder'), []);
  });
});
