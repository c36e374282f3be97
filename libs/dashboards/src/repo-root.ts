import { fileURLToPath } from 'node:url';

/** The workspace root, found from this module's place in libs/dashboards/{src,dist}. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
