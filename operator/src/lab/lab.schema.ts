// The ObservabilityLab spec: the lab's options in the custom resource's shape, built from the field
// rules charts-ts owns (labFields: names, quantities, durations, replicas, images), so the chart
// and the CRD cannot drift. The zod schema gives the TypeScript types, the operator's parsing, and
// (lab.crd.ts) the CRD's OpenAPI schema with defaults and CEL rules. lab.crd.spec.ts fails when
// operator/dist/ no longer matches this file.
import { labFields, LabSpecError } from '@obslab/charts-ts';
import { z } from 'zod';

/** API group, version, kind and plural of the custom resource. */
export const labApi = {
  group: 'lab.obslab.dev',
  version: 'v1alpha1',
  kind: 'ObservabilityLab',
  plural: 'observabilitylabs',
  singular: 'observabilitylab',
  shortName: 'olab',
} as const;

/** `apiVersion` of the custom resource. */
export const labApiVersion = `${labApi.group}/${labApi.version}` as const;

/** Size presets: PVC sizes and Prometheus retention; explicit `storage.sizes` and `retention` win. */
export const sizePresets = ['small', 'medium', 'large'] as const;
export type SizePreset = (typeof sizePresets)[number];

const name = (what: string) =>
  labFields
    .name()
    .meta({ description: `${what} (a DNS subdomain: lower-case letters, digits, "-" and ".")` });

const enabled = (component: string) =>
  z
    .object({
      enabled: z
        .boolean()
        .default(true)
        .meta({ description: `Run ${component}. Default: true.` }),
    })
    .strict()
    .prefault({});

/** The schema of `spec`. Every field has a default, so `spec: {}` is a complete lab. */
export const labSpecSchema = z
  .object({
    database: z
      .object({
        mode: labFields.database().default('sqlite').meta({
          description:
            'sqlite: task-api keeps its tasks on a ReadWriteOnce volume, one replica. postgres: a PostgreSQL StatefulSet, and task-api may scale. Cannot change after creation.',
        }),
        secretName: name(
          'Secret (you create it) with keys `password` and `database-url`, used when mode is postgres',
        ).default('obslab-postgres'),
      })
      .strict()
      .prefault({})
      .meta({
        'x-kubernetes-validations': [
          {
            rule: 'self.mode == oldSelf.mode',
            message:
              'database.mode cannot change after creation: the tasks would stay behind in the old database; create a new ObservabilityLab instead',
          },
        ],
      }),
    taskApi: z
      .object({
        replicas: labFields
          .replicas()
          .default(1)
          .meta({ description: 'task-api replicas; more than 1 needs database.mode postgres. Default: 1.' }),
      })
      .strict()
      .prefault({}),
    frontend: z
      .object({
        replicas: labFields.replicas().default(2).meta({ description: 'nginx replicas. Default: 2.' }),
      })
      .strict()
      .prefault({}),
    components: labFields.perOptionalComponent(enabled).prefault({}).meta({
      description: 'Optional components; `enabled: false` turns one off and its objects are pruned.',
    }),
    size: z.enum(sizePresets).default('medium').meta({
      description:
        'Preset for volume sizes and Prometheus retention: small (2Gi, 3d), medium (10Gi, 15d), large (50Gi, 30d). Default: medium.',
    }),
    storage: z
      .object({
        className: name(
          "StorageClass of every PersistentVolumeClaim; cannot change once set. Default: the cluster's default StorageClass",
        ).optional(),
        sizes: labFields
          .perStatefulComponent((c) =>
            labFields
              .storageSize()
              .optional()
              .meta({ description: `Size of ${c}'s volume (e.g. 10Gi). Default: from size.` }),
          )
          .prefault({}),
      })
      .strict()
      .prefault({})
      .meta({
        'x-kubernetes-validations': [
          {
            rule: '!has(oldSelf.className) || (has(self.className) && self.className == oldSelf.className)',
            message:
              'storage.className cannot change once set: existing PersistentVolumeClaims keep their StorageClass; create a new ObservabilityLab to move the data',
          },
        ],
      }),
    retention: z
      .object({
        prometheus: labFields
          .duration()
          .optional()
          .meta({ description: 'Prometheus TSDB retention such as 15d or 36h. Default: from size.' }),
      })
      .strict()
      .prefault({}),
    images: labFields
      .perComponent((c) =>
        labFields
          .image()
          .optional()
          .meta({ description: `Image of ${c}, repository:tag (never latest). Default: the stack's.` }),
      )
      .prefault({}),
    ingress: z
      .object({
        className: name('IngressClass').default('nginx'),
        appHost: name('Host name of the task manager UI and API').default('obslab.example.test'),
        grafanaHost: name('Host name of Grafana').default('grafana.obslab.example.test'),
        tlsSecretName: name(
          'Secret of type kubernetes.io/tls for both hosts (you or cert-manager create it)',
        ).default('obslab-tls'),
        controllerNamespace: labFields
          .namespace()
          .meta({
            description:
              'Namespace of the ingress controller pods (a DNS label: lower-case letters, digits and "-")',
          })
          .default('ingress-nginx'),
      })
      .strict()
      .prefault({})
      .meta({
        'x-kubernetes-validations': [
          {
            rule: 'self.appHost != self.grafanaHost',
            message: 'ingress.appHost and ingress.grafanaHost must differ',
          },
        ],
      }),
    grafana: z
      .object({
        adminSecretRef: z
          .object({
            name: name('Secret (you create it) with keys admin-user and admin-password').default(
              'obslab-grafana-admin',
            ),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    retainData: z.boolean().default(true).meta({
      description:
        'Keep the PersistentVolumeClaims (tasks, telemetry, dashboards) when the lab is deleted. Default: true.',
    }),
  })
  .strict()
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "self.taskApi.replicas == 1 || self.database.mode == 'postgres'",
        message:
          'taskApi.replicas above 1 needs database.mode: postgres (SQLite lives on a ReadWriteOnce volume that one pod can use)',
        fieldPath: '.taskApi.replicas',
      },
      {
        rule: 'self.size == oldSelf.size',
        message:
          "size cannot change after creation: volumes cannot shrink and PostgreSQL's claim template is fixed; grow one volume with storage.sizes where the StorageClass allows expansion",
        fieldPath: '.size',
      },
    ],
  });

/** A spec as written by a user: every field optional. */
export type LabSpecInput = z.input<typeof labSpecSchema>;
/** A spec with every default applied (what the API server stores). */
export type LabSpec = z.output<typeof labSpecSchema>;

/** Parses a stored spec; throws {@link LabSpecError} naming each bad field (`spec.…`) and the rule it broke. */
export function parseLabSpec(spec: unknown): LabSpec {
  const result = labSpecSchema.safeParse(spec ?? {});
  if (result.success) return result.data;
  throw LabSpecError.fromZod(result.error, 'spec.');
}
