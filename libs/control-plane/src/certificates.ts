import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from '@obslab/process';

/** Paths of the PEM files one control plane uses, all inside one directory. */
export interface ControlPlaneCertificates {
  readonly caCert: string;
  readonly caKey: string;
  /** kube-apiserver's serving certificate, for 127.0.0.1, localhost and the in-cluster names. */
  readonly servingCert: string;
  readonly servingKey: string;
  /** Client certificate with O=system:masters: cluster-admin for tests. */
  readonly adminCert: string;
  readonly adminKey: string;
  /** Client certificate for CN=system:kube-controller-manager (bound by the bootstrap RBAC). */
  readonly controllerManagerCert: string;
  readonly controllerManagerKey: string;
  /** Client certificate for CN=system:kube-scheduler (bound by the bootstrap RBAC). */
  readonly schedulerCert: string;
  readonly schedulerKey: string;
  /** Client certificate for kwok, the fake-node simulator (O=system:masters: it writes node and pod status). */
  readonly kwokCert: string;
  readonly kwokKey: string;
  /** Signs and verifies service-account tokens. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
}

const validityDays = '30';
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Extra names the serving certificate covers (the first IP of the default service range and the in-cluster DNS names). */
export const servingNames = [
  'IP:127.0.0.1',
  'IP:10.96.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
] as const;

/** A certificate signed by the control plane's CA. */
export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * Creates a throw-away CA, the API server's serving certificate, the admin and controller-manager
 * scheduler and kwok client certificates (openssl CLI; ECDSA P-256, valid 30 days) and a service-account key pair
 * (Node's crypto) in `dir`. `extraServingIps` are added to the serving certificate (a real node's
 * address, where the API server listens for pods).
 */
export async function createCertificates(
  dir: string,
  extraServingIps: readonly string[] = [],
): Promise<ControlPlaneCertificates> {
  const path = (name: string): string => join(dir, name);
  const certs: ControlPlaneCertificates = {
    caCert: path('ca.crt'),
    caKey: path('ca.key'),
    servingCert: path('apiserver.crt'),
    servingKey: path('apiserver.key'),
    adminCert: path('admin.crt'),
    adminKey: path('admin.key'),
    controllerManagerCert: path('controller-manager.crt'),
    controllerManagerKey: path('controller-manager.key'),
    schedulerCert: path('scheduler.crt'),
    schedulerKey: path('scheduler.key'),
    kwokCert: path('kwok.crt'),
    kwokKey: path('kwok.key'),
    serviceAccountKey: path('service-account.key'),
    serviceAccountPublicKey: path('service-account.pub'),
  };
  await openssl(dir, [
    'req',
    '-x509',
    ...ecKey,
    '-days',
    validityDays,
    '-keyout',
    certs.caKey,
    '-out',
    certs.caCert,
    '-subj',
    '/CN=obslab-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const leaf = (subject: string, key: string, cert: string, usage: string, extra: readonly string[] = []) =>
    signLeaf(certs, { subject, key, cert, usage, extra });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await Promise.all([
    leaf('/CN=kube-apiserver', certs.servingKey, certs.servingCert, 'serverAuth', [
      '-addext',
      `subjectAltName=${[...servingNames, ...extraServingIps.map((ip) => `IP:${ip}`)].join(',')}`,
    ]),
    leaf('/O=system:masters/CN=obslab-admin', certs.adminKey, certs.adminCert, 'clientAuth'),
    leaf(
      '/CN=system:kube-controller-manager',
      certs.controllerManagerKey,
      certs.controllerManagerCert,
      'clientAuth',
    ),
    leaf('/CN=system:kube-scheduler', certs.schedulerKey, certs.schedulerCert, 'clientAuth'),
    leaf('/O=system:masters/CN=kwok', certs.kwokKey, certs.kwokCert, 'clientAuth'),
    writeFile(certs.serviceAccountKey, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 }),
    writeFile(certs.serviceAccountPublicKey, publicKey.export({ type: 'spki', format: 'pem' })),
  ]);
  return certs;
}

/**
 * Issues a client certificate signed by the control plane's CA into `dir` as `<name>.crt` and
 * `<name>.key`: `subject` is an openssl subject such as `/O=system:nodes/CN=system:node:n1`.
 */
export async function issueClientCertificate(
  certs: Pick<ControlPlaneCertificates, 'caCert' | 'caKey'>,
  dir: string,
  name: string,
  subject: string,
): Promise<IssuedCertificate> {
  const issued = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await signLeaf(certs, { subject, key: issued.key, cert: issued.cert, usage: 'clientAuth' });
  return issued;
}

const openssl = (dir: string, args: readonly string[]) =>
  run('openssl', args, { cwd: dir, timeoutMs: 30_000 });

function signLeaf(
  ca: Pick<ControlPlaneCertificates, 'caCert' | 'caKey'>,
  leaf: { subject: string; key: string; cert: string; usage: string; extra?: readonly string[] },
): Promise<unknown> {
  return openssl(dirname(leaf.cert), [
    'req',
    '-x509',
    ...ecKey,
    '-days',
    validityDays,
    '-CA',
    ca.caCert,
    '-CAkey',
    ca.caKey,
    '-keyout',
    leaf.key,
    '-out',
    leaf.cert,
    '-subj',
    leaf.subject,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext',
    `extendedKeyUsage=${leaf.usage}`,
    ...(leaf.extra ?? []),
  ]);
}
