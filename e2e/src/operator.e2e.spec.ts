// The operator's lifecycle on a real control plane (etcd, kube-apiserver, kube-controller-manager
// with the garbage collector, kube-scheduler, kwok fake nodes): the CRD and RBAC from
// operator/dist/, and the real `lab operator run` process authenticated as the operator's own
// ServiceAccount, so every call it makes is checked against its least-privilege ClusterRole.
// The tests sit in operator/ by scenario group and run in order on this file's one control plane.
import { after, before, describe } from 'node:test';
import { skipUnlessKubeBinaries } from '@obslab/control-plane';
import { describeLifecycle } from './operator/lifecycle.tests.js';
import { OperatorSuite } from './operator/operator-suite.setup.js';
import { describeResilience } from './operator/resilience.tests.js';
import { describeValidation } from './operator/validation.tests.js';

const skip = skipUnlessKubeBinaries(['kubeScheduler', 'kwok']);

describe('the ObservabilityLab operator on a real control plane', { skip, timeout: 900_000 }, () => {
  const suite = new OperatorSuite();
  before(() => suite.start());
  after(() => suite.stop());

  describeLifecycle(suite);
  describeValidation(suite);
  describeResilience(suite);
});
