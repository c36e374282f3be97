import { readFile, writeFile } from 'node:fs/promises';

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
