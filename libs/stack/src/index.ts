export * from './component.types.js';
export { labStack, componentOf, memoryBudgetMiB, type LabStackProps } from './lab.stack.js';
export {
  formatImageRef,
  loadImageVersions,
  parseImageRef,
  parseImageVersions,
  upstreamComponents,
  type ImageVersions,
  type UpstreamComponent,
} from './image-versions.js';
export {
  bindAddress,
  composeOptions,
  healthServiceName,
  probeSidecarImageOf,
  taskApiProbe,
  type ComposeProbe,
  type ComposeServiceOptions,
} from './compose/compose.options.js';
export {
  composeEnvValue,
  healthSidecarResources,
  renderCompose,
  renderComposePostgresOverride,
  type RenderComposeOptions,
} from './compose/compose.renderer.js';
export { findWorkspaceRoot, parseFlagsFile, stackPaths, workspaceStack } from './workspace.js';
