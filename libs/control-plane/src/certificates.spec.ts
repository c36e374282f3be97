import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ControlPlaneCertificates, createCertificates } from './certificates.js';

describe('createCertificates', () => {
  let dir: string;
  let certs: ControlPlaneCertificates;
  const cert = async (path: string) => new X509Certificate(await readFile(path));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obslab-certs-'));
    certs = await createCertificates(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('signs the serving certificate for 127.0.0.1 and localhost with the CA', async () => {
    const ca = await cert(certs.caCert);
    const serving = await cert(certs.servingCert);
    assert.ok(serving.verify(ca.publicKey));
    assert.ok(serving.checkIP('127.0.0.1'));
    assert.ok(serving.checkHost('localhost'));
    assert.equal(ca.ca, true);
    assert.equal(serving.ca, false);
  });

  it('puts the admin client certificate in the system:masters group', async () => {
    const admin = await cert(certs.adminCert);
    assert.match(admin.subject, /O=system:masters/);
    assert.ok(admin.verify((await cert(certs.caCert)).publicKey));
    assert.ok(admin.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth usage');
  });

  it('names the controller manager as the bootstrap RBAC expects', async () => {
    assert.match((await cert(certs.controllerManagerCert)).subject, /CN=system:kube-controller-manager/);
  });
});
