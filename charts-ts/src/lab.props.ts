// The chart's props: the lab's options (lab.options.ts) plus the stack they apply to, and how they
// resolve, with the stack's images and settings, into what the constructs read.
import { formatImageRef, parseImageRef, type ComponentName, type Stack } from '@obslab/stack';
import { LabSpecError, type LabSpecProblem } from './lab-spec.error.js';
import {
  labOptionsSchema,
  optionalComponents,
  defaultStorageSizes,
  type LabOptions,
  type OptionalComponent,
  type ParsedLabOptions,
  type StatefulComponent,
} from './lab.options.js';

/** Props of {@link LabChart}: one lab in one namespace. Every field is optional; see {@link labOptionsSchema}. */
export type LabChartProps = LabOptions & {
  /** The stack definition. Default: this workspace's (`workspaceStack()` from @obslab/stack). */
  readonly stack?: Stack;
  /** Workspace root that config file paths of the stack are relative to. Default: found above this package (nx.json). */
  readonly workspaceRoot?: string;
};

/** The props with every default applied and checked. */
export type ResolvedLabProps = Readonly<
  Omit<ParsedLabOptions, 'storageSizes' | 'images' | 'components'> & {
    readonly storageSizes: Readonly<Record<StatefulComponent, string>>;
    readonly images: Readonly<Record<ComponentName, string>>;
    /** Whether each optional component runs. */
    readonly enabled: Readonly<Record<OptionalComponent, boolean>>;
    readonly stack: Stack;
    readonly workspaceRoot: string;
  }
>;

const defined = <T>(record: Partial<Record<string, T | undefined>>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, T>;

/** The problems of `settings` against the stack's settings. */
function settingsProblems(settings: Readonly<Record<string, string>>, stack: Stack): LabSpecProblem[] {
  const known = new Set(
    stack.components.flatMap((c) =>
      Object.values(c.env).flatMap((v) => (v.kind === 'setting' ? [v.variable] : [])),
    ),
  );
  return Object.keys(settings).flatMap((variable): LabSpecProblem[] => {
    if (variable === 'POSTGRES_PASSWORD')
      return [
        {
          field: 'settings.POSTGRES_PASSWORD',
          rule: 'secret-not-setting',
          message: 'cannot be a setting: it comes from the Secret named by postgresSecretName',
        },
      ];
    if (known.has(variable)) return [];
    return [
      {
        field: `settings.${variable}`,
        rule: 'known-setting',
        message: `is not a setting of the stack (settings: ${[...known].sort().join(', ')})`,
      },
    ];
  });
}

/** Applies the defaults; throws {@link LabSpecError} listing every invalid value or combination. */
export function resolveLabProps(props: LabChartProps, stack: Stack, workspaceRoot: string): ResolvedLabProps {
  const options: Record<string, unknown> = { ...props }; // the options without the code
  delete options['stack'];
  delete options['workspaceRoot'];
  const parsed = labOptionsSchema.safeParse(options);
  if (!parsed.success) throw LabSpecError.fromZod(parsed.error);
  const lab = parsed.data;
  const problems = settingsProblems(lab.settings, stack);
  if (problems.length > 0) throw new LabSpecError(problems);
  const images = Object.fromEntries(
    stack.components.map((c) => [c.name, formatImageRef(c.image.image)]),
  ) as Record<ComponentName, string>;
  for (const [component, image] of Object.entries(defined(lab.images)))
    images[component as ComponentName] = formatImageRef(parseImageRef(image, `images.${component}`));
  return {
    ...lab,
    storageSizes: { ...defaultStorageSizes, ...defined(lab.storageSizes) },
    images,
    enabled: {
      ...(Object.fromEntries(optionalComponents.map((c) => [c, true])) as Record<OptionalComponent, boolean>),
      ...defined(lab.components),
    },
    settings: { GRAFANA_PUBLIC_URL: `https://${lab.hosts.grafana}`, ...lab.settings },
    stack,
    workspaceRoot,
  };
}

export {
  defaultStorageSizes,
  optionalComponents,
  statefulComponents,
  type ApiServerEgress,
  type LabDatabase,
  type LabHosts,
  type LabRetention,
  type OptionalComponent,
  type StatefulComponent,
} from './lab.options.js';
