export {
  bindAddress,
  composeOptions,
  healthServiceName,
  probeSidecarImageOf,
  taskApiProbe,
  type ComposeProbe,
  type ComposeServiceOptions,
} from './compose.options.js';
export {
  composeEnvValue,
  composePlatform,
  healthSidecarResources,
  renderCompose,
  renderComposePostgresOverride,
  type RenderComposeOptions,
} from './compose.renderer.js';
export { composePaths } from './compose.paths.js';
