// The lab as real pods on a real node: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler, plus a node on this machine — containerd (Debian's), kubelet, kube-proxy
// (nftables), CoreDNS and kube-network-policies — with the images `lab images build` made imported
// into containerd. The synthesized manifests (charts-ts, both databases) and the operator's
// ObservabilityLab run here as they would on a kubeadm cluster. Grafana, Tempo and Loki are turned
// off: their images are AGPL-licensed upstream ones that are not built here.
// The tests sit in node/ by scenario group; this file starts the one cluster they share.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { nodeCgroupExists } from '@obslab/control-plane';
import { hostState, processesMentioning, skipReason } from './node/host-state.js';
import { NodeCluster } from './node/node-cluster.setup.js';
import { describeOperatorLab } from './node/operator-lab.tests.js';
import { describePostgresLab } from './node/postgres-lab.tests.js';
import { describeSqliteLab } from './node/sqlite-lab.tests.js';

describe(
  'the lab as real pods on a real node (containerd, kubelet, kube-proxy, CoreDNS, kube-network-policies); grafana, tempo and loki turned off (AGPL images not built here)',
  { skip: skipReason(), timeout: 50 * 60_000 },
  () => {
    const cluster = new NodeCluster();
    before(() => cluster.start());
    after(() => cluster.stop());

    it('has one Ready node that runs pods on its own bridge, with the cluster DNS Service answering', async () => {
      const nodes = await cluster.kube.json<{
        items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[] } }[];
      }>(['nodes']);
      assert.deepEqual(
        nodes.items.map((n) => n.metadata.name),
        [cluster.cp!.node!.name],
      );
      assert.equal(
        nodes.items[0]!.status.addresses.find((a) => a.type === 'InternalIP')?.address,
        cluster.cp!.node!.network.gateway,
      );
      const service = await cluster.kube.json<{ spec: { clusterIP: string } }>([
        '-n',
        'kube-system',
        'service',
        'kube-dns',
      ]);
      assert.equal(service.spec.clusterIP, '10.96.0.10');
    });

    describeSqliteLab(cluster);
    describePostgresLab(cluster);
    describeOperatorLab(cluster);

    it('stops leaving nothing behind: no bridge, nftables tables, network namespaces, mounts or processes', async () => {
      const node = cluster.cp!.node!;
      const pids = node.processes.map((p) => p.pid);
      for (const pf of cluster.forwards.splice(0)) await pf.close();
      await cluster.timed('stop', () => cluster.cp!.stop());
      assert.equal(existsSync(`/sys/class/net/${node.network.bridge}`), false, 'bridge removed');
      assert.deepEqual(
        await hostState(),
        cluster.hostBefore,
        'nftables tables, KUBE-* chains, network namespaces and kernel settings as before',
      );
      assert.equal(nodeCgroupExists(), false, 'the node’s pod cgroup removed (no container left in it)');
      assert.ok(
        !readFileSync('/proc/self/mounts', 'utf8').includes(cluster.workDir),
        'no mount left under the work dir',
      );
      for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} still runs`);
      assert.deepEqual(
        processesMentioning(cluster.workDir),
        [],
        'no process (shim, container) of the node left',
      );
      assert.equal(existsSync(cluster.cp!.workDir), false);
    });
  },
);
