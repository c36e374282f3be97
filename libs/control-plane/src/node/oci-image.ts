import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { run } from '@obslab/process';

/** A single-binary image: the program at `/<name>`, nothing else (like a `FROM scratch` image). */
export interface BinaryImage {
  /** Reference, e.g. `registry.k8s.io/pause:3.10`. */
  readonly ref: string;
  /** The static binary to put at the image's root. */
  readonly binary: string;
  /** Entrypoint arguments after the binary. Default: none. */
  readonly args?: readonly string[];
  /** Numeric user the image runs as. Default: 65532 (nonroot). */
  readonly user?: number;
}

/** A reference as containerd's CRI stores it: `pause:3.10` → `docker.io/library/pause:3.10`. */
export function normalizeImageRef(ref: string): string {
  const [first, ...rest] = ref.split('/');
  if (rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost')) return ref;
  return rest.length === 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Imports a one-binary OCI image into a node's containerd (k8s.io namespace) without Docker: the
 * layer is a tar of the binary, the config names the entrypoint and user, and the OCI image layout
 * is streamed to `ctr images import`.
 */
export async function importBinaryImage(socket: string, image: BinaryImage): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'obslab-oci-'));
  try {
    const rootfs = join(dir, 'rootfs');
    const layout = join(dir, 'layout');
    const blobs = join(layout, 'blobs', 'sha256');
    await Promise.all([mkdir(rootfs), mkdir(blobs, { recursive: true })]);
    const name = basename(image.binary);
    await copyFile(image.binary, join(rootfs, name));
    const layerTar = join(dir, 'layer.tar');
    await run('tar', [
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '-C',
      rootfs,
      '-cf',
      layerTar,
      name,
    ]);
    const layer = await readFile(layerTar);
    const layerDigest = sha256(layer);
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Entrypoint: [`/${name}`, ...(image.args ?? [])],
        User: String(image.user ?? 65532),
        WorkingDir: '/',
      },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
    });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config),
        size: Buffer.byteLength(config),
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length },
      ],
    });
    const blob = (digest: string, data: Buffer | string) =>
      writeFile(join(blobs, digest.slice('sha256:'.length)), data);
    await Promise.all([
      blob(layerDigest, layer),
      blob(sha256(config), config),
      blob(sha256(manifest), manifest),
    ]);
    await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: sha256(manifest),
            size: Buffer.byteLength(manifest),
            annotations: { 'io.containerd.image.name': normalizeImageRef(image.ref) },
          },
        ],
      }),
    );
    const archive = join(dir, 'image.tar');
    await run('tar', ['-C', layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs']);
    await run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', archive], {
      timeoutMs: 120_000,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
