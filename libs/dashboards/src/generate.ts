// `nx run dashboards:generate`: renders the dashboards and the SLO rule file into compose/config.
import { renderArtifacts, writeArtifacts } from './artifacts.js';
import { REPO_ROOT } from './repo-root.js';

const artifacts = renderArtifacts();
const changed = await writeArtifacts(REPO_ROOT, artifacts);
for (const artifact of artifacts)
  console.log(`[dashboards] ${changed.includes(artifact.path) ? 'wrote    ' : 'unchanged'} ${artifact.path}`);
