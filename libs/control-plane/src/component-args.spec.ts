import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlPlaneCertificates } from './certificates.js';
import {
  admissionFlags,
  featureGatesFlag,
  kubeApiserverArgs,
  kubeControllerManagerArgs,
} from './component-args.js';

const certs: ControlPlaneCertificates = {
  caCert: '/pki/ca.crt',
  caKey: '/pki/ca.key',
  servingCert: '/pki/apiserver.crt',
  servingKey: '/pki/apiserver.key',
  adminCert: '/pki/admin.crt',
  adminKey: '/pki/admin.key',
  controllerManagerCert: '/pki/cm.crt',
  controllerManagerKey: '/pki/cm.key',
  schedulerCert: '/pki/scheduler.crt',
  schedulerKey: '/pki/scheduler.key',
  kwokCert: '/pki/kwok.crt',
  kwokKey: '/pki/kwok.key',
  serviceAccountKey: '/pki/sa.key',
  serviceAccountPublicKey: '/pki/sa.pub',
};

describe('admissionFlags', () => {
  it('keeps PodSecurity enabled when nothing is asked for', () => {
    assert.deepEqual(admissionFlags(), ['--enable-admission-plugins=PodSecurity']);
  });

  it('adds requested plugins after PodSecurity without duplicates', () => {
    assert.deepEqual(
      admissionFlags({ enable: ['PodSecurity', 'AlwaysPullImages'], disable: ['DefaultStorageClass'] }),
      [
        '--enable-admission-plugins=PodSecurity,AlwaysPullImages',
        '--disable-admission-plugins=DefaultStorageClass',
      ],
    );
  });

  it('refuses to disable PodSecurity', () => {
    assert.throws(() => admissionFlags({ disable: ['PodSecurity'] }), /PodSecurity.*always runs/);
  });

  it('refuses a plugin both enabled and disabled', () => {
    assert.throws(() => admissionFlags({ enable: ['X'], disable: ['X'] }), /both enabled and disabled: X/);
  });
});

describe('featureGatesFlag', () => {
  it('renders gates sorted by name and nothing for no gates', () => {
    assert.equal(featureGatesFlag({ Zeta: false, Alpha: true }), 'Alpha=true,Zeta=false');
    assert.equal(featureGatesFlag({}), undefined);
  });
});

describe('kubeApiserverArgs', () => {
  const args = kubeApiserverArgs({ certs, etcdPort: 2379, securePort: 6443, featureGates: { Foo: true } });

  it('serves only on loopback with Node,RBAC authorization and the given etcd', () => {
    assert.ok(args.includes('--bind-address=127.0.0.1'));
    assert.ok(args.includes('--secure-port=6443'));
    assert.ok(args.includes('--authorization-mode=Node,RBAC'));
    assert.ok(args.includes('--etcd-servers=http://127.0.0.1:2379'));
    assert.ok(args.includes('--client-ca-file=/pki/ca.crt'));
    assert.ok(args.includes('--feature-gates=Foo=true'));
  });

  it('signs service-account tokens with the generated key', () => {
    assert.ok(args.includes('--service-account-signing-key-file=/pki/sa.key'));
    assert.ok(args.includes('--service-account-key-file=/pki/sa.pub'));
  });
});

describe('kubeControllerManagerArgs', () => {
  it('runs the garbage collector, namespace, deployment, replicaset and service-account controllers by default', () => {
    const args = kubeControllerManagerArgs({ kubeconfig: '/k', certs, securePort: 10257, certDir: '/c' });
    const controllers = args
      .find((a) => a.startsWith('--controllers='))!
      .split('=')[1]!
      .split(',');
    for (const name of [
      'garbage-collector',
      'namespace',
      'deployment',
      'replicaset',
      'serviceaccount',
      'serviceaccount-token',
    ]) {
      assert.ok(
        controllers.includes(`${name}-controller`),
        `${name}-controller missing from ${controllers.join(',')}`,
      );
    }
    assert.ok(args.includes('--leader-elect=false'));
    assert.ok(args.includes('--service-account-private-key-file=/pki/sa.key'));
  });
});
