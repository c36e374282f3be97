import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ControlPlaneCertificates } from './certificates.js';

/** Inputs of {@link writeKubeconfig}. */
export interface KubeconfigOptions {
  readonly server: string;
  readonly caCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Name of the cluster, user and context. Default: "obslab". */
  readonly name?: string;
}

/**
 * Writes a self-contained kubeconfig (certificates embedded, so the file can be copied) to `path`.
 * It is JSON, which every kubeconfig reader accepts since YAML is a superset of it.
 */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  const name = options.name ?? 'obslab';
  const base64 = async (file: string) => (await readFile(file)).toString('base64');
  const [ca, cert, key] = await Promise.all([
    base64(options.caCert),
    base64(options.clientCert),
    base64(options.clientKey),
  ]);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority-data': ca } }],
    users: [{ name, user: { 'client-certificate-data': cert, 'client-key-data': key } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  await writeFile(path, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
}

/** The kubeconfigs of the admin and of each component, in `workDir`, for the API server at `server`. */
export async function writeComponentKubeconfigs(
  workDir: string,
  server: string,
  certs: ControlPlaneCertificates,
): Promise<{
  readonly kubeconfigPath: string;
  readonly controllerManagerKubeconfig: string;
  readonly schedulerKubeconfig: string;
  readonly kwokKubeconfig: string;
}> {
  const paths = {
    kubeconfigPath: join(workDir, 'kubeconfig'),
    controllerManagerKubeconfig: join(workDir, 'controller-manager.kubeconfig'),
    schedulerKubeconfig: join(workDir, 'scheduler.kubeconfig'),
    kwokKubeconfig: join(workDir, 'kwok.kubeconfig'),
  };
  const write = (path: string, clientCert: string, clientKey: string) =>
    writeKubeconfig(path, { server, caCert: certs.caCert, clientCert, clientKey });
  await Promise.all([
    write(paths.kubeconfigPath, certs.adminCert, certs.adminKey),
    write(paths.controllerManagerKubeconfig, certs.controllerManagerCert, certs.controllerManagerKey),
    write(paths.schedulerKubeconfig, certs.schedulerCert, certs.schedulerKey),
    write(paths.kwokKubeconfig, certs.kwokCert, certs.kwokKey),
  ]);
  return paths;
}
