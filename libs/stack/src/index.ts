export * from './component.types.js';
export {
  checkWiring,
  componentOf,
  connectionsAmong,
  endpointUrl,
  labStack,
  memoryBudgetMiB,
  portOf,
  runsIn,
  type LabStackProps,
} from './lab.stack.js';
export {
  labComponents,
  labConnections,
  optionalComponents,
  statefulComponents,
  upstreamComponents,
  type OptionalComponent,
  type StatefulComponent,
  type UpstreamComponent,
} from './lab.components.js';
export {
  formatImageRef,
  loadImageVersions,
  parseImageRef,
  parseImageVersions,
  type ImageVersions,
} from './image-versions.js';
export { findWorkspaceRoot, parseFlagsFile, stackPaths, workspaceStack } from './workspace.js';
