import { type LabSpecInput } from '../lab/lab.schema.js';
import { type ObservabilityLab } from '../lab/lab.types.js';

/** An ObservabilityLab `demo` in `team-a` (uid `u-1`, generation 1) with `spec`; `metadata` overrides. */
export const labOf = (
  spec: LabSpecInput = {},
  metadata: Partial<ObservabilityLab['metadata']> = {},
): ObservabilityLab => ({
  apiVersion: 'lab.obslab.dev/v1alpha1',
  kind: 'ObservabilityLab',
  metadata: { name: 'demo', namespace: 'team-a', uid: 'u-1', generation: 1, ...metadata },
  spec,
});
