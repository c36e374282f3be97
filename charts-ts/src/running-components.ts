import { runsIn, type ComponentName } from '@obslab/stack';
import { type ResolvedLabProps } from './lab.props.js';

/**
 * The components this lab runs, in the stack's order: those of its database mode, without the
 * optional ones turned off.
 */
export function runningComponents(lab: ResolvedLabProps): ComponentName[] {
  return lab.stack.components.filter((c) => runsIn(c, lab)).map((c) => c.name);
}
