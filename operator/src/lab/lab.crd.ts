// The CustomResourceDefinition, generated from the zod schema of lab.schema.ts: one definition for
// the TypeScript types, the operator's parsing and the API server's validation and defaulting.
import { z } from 'zod';
import { labApi, labSpecSchema } from './lab.schema.js';

type JsonSchema = { [key: string]: unknown };

/**
 * The complete default of an object schema: its properties' defaults, recursively. The API server
 * checks CEL rules against a default as written, so `default: {}` would fail rules that read
 * defaulted fields.
 */
function fullDefault(node: JsonSchema): unknown {
  const properties = node['properties'] as Record<string, JsonSchema> | undefined;
  if (node['type'] !== 'object' || !properties) return node['default'];
  const value: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    const inner = property['default'] === undefined ? undefined : fullDefault(property);
    if (inner !== undefined) value[key] = inner;
  }
  return value;
}

/** Makes zod's OpenAPI output structural: no `additionalProperties: false` (pruning does that job), complete defaults. */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) {
    if (key === '$schema') continue;
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = key === 'default' || key === 'x-kubernetes-validations' ? value : structural(value);
  }
  if (out['default'] !== undefined) out['default'] = fullDefault(out);
  return out;
}

/** The OpenAPI v3 schema of `spec`, with defaults and CEL rules. */
export function labSpecOpenApiSchema(): JsonSchema {
  const schema = structural(
    z.toJSONSchema(labSpecSchema, { target: 'openapi-3.0', io: 'input' }),
  ) as JsonSchema;
  const spec = {
    ...schema,
    description: 'What the lab runs. Every field has a default: `spec: {}` is a complete lab.',
  };
  return { ...spec, default: fullDefault({ ...spec, default: {} }) };
}

const condition = {
  type: 'object',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: { type: 'string', maxLength: 316 },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024 },
    message: { type: 'string', maxLength: 32768 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
  },
};

/** The OpenAPI v3 schema of `status` (written only by the operator). */
export const labStatusOpenApiSchema: JsonSchema = {
  type: 'object',
  description: 'What the operator observed; rebuilt from the cluster on every reconcile.',
  properties: {
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      description: 'The generation the status describes.',
    },
    conditions: {
      type: 'array',
      description: 'Ready, Progressing and Degraded.',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: condition,
    },
    components: {
      type: 'object',
      description: 'Desired and ready replicas per running component.',
      additionalProperties: {
        type: 'object',
        properties: { desired: { type: 'integer' }, ready: { type: 'integer' } },
      },
    },
    summary: { type: 'string', description: 'Ready components of all running components, e.g. 7/7.' },
    database: { type: 'string', description: 'The database mode in use.' },
    urls: {
      type: 'object',
      properties: {
        app: { type: 'string', description: 'The task manager (when the frontend runs).' },
        grafana: { type: 'string', description: 'Grafana (when it runs).' },
      },
    },
  },
};

/** The CustomResourceDefinition of ObservabilityLab. */
export function labCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${labApi.plural}.${labApi.group}`,
      labels: { 'app.kubernetes.io/part-of': 'obslab', 'app.kubernetes.io/name': 'obslab-operator' },
    },
    spec: {
      group: labApi.group,
      scope: 'Namespaced',
      names: {
        kind: labApi.kind,
        listKind: `${labApi.kind}List`,
        plural: labApi.plural,
        singular: labApi.singular,
        shortNames: [labApi.shortName],
        categories: ['obslab'],
      },
      versions: [
        {
          name: labApi.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Components', type: 'string', jsonPath: '.status.summary' },
            { name: 'Database', type: 'string', jsonPath: '.spec.database.mode' },
            {
              name: 'Reason',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
              priority: 1,
            },
            { name: 'App', type: 'string', jsonPath: '.status.urls.app', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'An observability lab: task-api, its frontend and the telemetry stack, in this namespace.',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: labSpecOpenApiSchema(),
                status: labStatusOpenApiSchema,
              },
            },
          },
        },
      ],
    },
  };
}
