// The suites on a real dockerd: the compose lab (the committed compose/compose.yaml with the images
// `lab images build` makes here, since no registry is reachable) and the operator's image. The
// telemetry chain runs whole up to the interfaces of Tempo and Loki, whose images cannot be built
// here (AGPL): the override turns grafana, tempo and loki off and points the Collector's Tempo and
// Loki exporters at an in-test OTLP sink on the compose network; nothing else of the committed file
// changes. Both suites share one dockerd, started when none runs and stopped after the last suite:
// node --test runs spec files in parallel processes, so a second file starting its own dockerd
// would clash with this one. Skipped locally when Docker cannot run; fails when CI=true.
// The tests sit in compose/ by scenario group; this file holds the suites together so that they run
// in one process, around one dockerd, one `lab images build` and one compose lab.
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { dockerSkipReason } from './docker/docker.cli.js';
import {
  type ComposeLab,
  type ComposeLabResources,
  startComposeLab,
  stopComposeLab,
} from './compose/compose-lab.setup.js';
import { stopDockerd } from './compose/compose-suite.context.js';
import { describeLabResilience } from './compose/lab-resilience.tests.js';
import { describeLabServices } from './compose/lab-services.tests.js';
import { describeLabTelemetry } from './compose/lab-telemetry.tests.js';
import { describeOperatorImage } from './compose/operator-image.tests.js';

const skip = dockerSkipReason();

// One describe around the suites so that node:test awaits stopping dockerd (a file-level after
// hook is not awaited once nothing else keeps the process alive).
describe('on a real dockerd', { skip, timeout: 80 * 60_000 }, () => {
  after(stopDockerd, { timeout: 60_000 });

  describe(
    'the compose lab on a real dockerd, telemetry chain whole: frontend, task-api, the Collector and Prometheus 3 from `lab images build`; grafana, tempo and loki turned off (AGPL images not built here), the Collector exporting to an in-test OTLP sink in their place',
    { timeout: 60 * 60_000 },
    () => {
      const resources: ComposeLabResources = {
        runId: randomBytes(3).toString('hex'),
        workDir: mkdtempSync(join(tmpdir(), 'obslab-compose-e2e-')),
        started: Date.now(),
      };
      let running: ComposeLab | undefined;
      const lab = (): ComposeLab => {
        if (!running) throw new Error('the compose lab did not start (see the before hook)');
        return running;
      };

      before(
        async () => {
          running = await startComposeLab(resources);
        },
        { timeout: 55 * 60_000 },
      );
      after(() => stopComposeLab(resources), { timeout: 120_000 });

      describeLabServices(lab);
      describeLabTelemetry(lab);
      describeLabResilience(lab);
    },
  );

  describeOperatorImage();
});
