// The tasks API on both databases against bad and hostile input: 400 (or 405, 413, 429) naming the
// field, never 5xx, nothing changed. Task 1 exists (seeded), so updates of it could change something.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describeTasksApi, raw } from '../testing/tasks-api.fixture.js';

describeTasksApi(
  ({ api, app }) => {
    describe('rejects bad input with 400 naming the field, and changes nothing', () => {
      const cases: [string, string, string, unknown, string][] = [
        ['a missing title', 'POST', '/api/tasks', { description: 'no title' }, 'title'],
        ['a blank title', 'POST', '/api/tasks', { title: '   ' }, 'title'],
        ['a title longer than 200 characters', 'POST', '/api/tasks', { title: 'x'.repeat(201) }, 'title'],
        ['a numeric title', 'POST', '/api/tasks', { title: 42 }, 'title'],
        ['a null title', 'POST', '/api/tasks', { title: null }, 'title'],
        [
          'a description over 10,000 characters',
          'POST',
          '/api/tasks',
          { title: 't', description: 'd'.repeat(10_001) },
          'description',
        ],
        ['a string for completed', 'POST', '/api/tasks', { title: 't', completed: 'true' }, 'completed'],
        ['an unknown field', 'POST', '/api/tasks', { title: 't', priority: 'high' }, 'priority'],
        ['an array body', 'POST', '/api/tasks', [{ title: 't' }], 'title'],
        ['an empty update', 'PUT', '/api/tasks/1', {}, 'body'],
        ['a null completed on update', 'PUT', '/api/tasks/1', { completed: null }, 'completed'],
        ['a non-integer id', 'GET', '/api/tasks/abc', undefined, 'id'],
        ['a negative id', 'GET', '/api/tasks/-1', undefined, 'id'],
        ['a fractional id', 'DELETE', '/api/tasks/1.5', undefined, 'id'],
        ['a limit over 1000', 'GET', '/api/tasks?limit=1001', undefined, 'limit'],
        ['a zero limit', 'GET', '/api/tasks?limit=0', undefined, 'limit'],
        ['a negative offset', 'GET', '/api/tasks?offset=-1', undefined, 'offset'],
        [
          'a completed filter that is not a boolean',
          'GET',
          '/api/tasks?completed=yes',
          undefined,
          'completed',
        ],
        ['an unknown query parameter', 'GET', '/api/tasks?sort=title', undefined, 'sort'],
        ['a malformed cursor', 'GET', '/api/tasks?after=not-a-cursor!', undefined, 'after'],
        [
          'a cursor that names no position',
          'GET',
          `/api/tasks?after=${Buffer.from('2026-02-30T00:00:00.000Z_1').toString('base64url')}`,
          undefined,
          'after',
        ],
        ['two cursors', 'GET', '/api/tasks?after=a&after=b', undefined, 'after'],

        ['a delay over 10 seconds', 'GET', '/api/simulate-slow?delay=10.5', undefined, 'delay'],
        ['a negative delay', 'GET', '/api/simulate-slow?delay=-1', undefined, 'delay'],
        ['a delay that is not a number', 'GET', '/api/simulate-slow?delay=soon', undefined, 'delay'],
        ['zero smoke ops', 'POST', '/api/smoke/db?ops=0', undefined, 'ops'],
        ['more than 10,000 smoke ops', 'POST', '/api/smoke/db?ops=10001', undefined, 'ops'],
        ['an unknown smoke type', 'POST', '/api/smoke/db?type=delete', undefined, 'type'],
      ];
      for (const [name, method, path, body, field] of cases) {
        it(`rejects ${name}`, async () => {
          const before = (await api('GET', '/api/tasks?limit=1000')).body;
          const response = await api(method, path, body);
          assert.equal(response.status, 400, JSON.stringify(response.body));
          assert.equal(typeof response.body.error, 'string');
          assert.match(response.body.error, new RegExp(field));
          assert.ok(
            response.body.details.some((detail: { field: string }) => detail.field === field),
            `details name ${field}: ${JSON.stringify(response.body.details)}`,
          );
          assert.deepEqual((await api('GET', '/api/tasks?limit=1000')).body, before);
        });
      }
    });

    describe('hostile input (issue 16): 4xx naming the field, never 5xx, nothing changed', () => {
      const unchanged = async (work: () => Promise<void>) => {
        const before = (await api('GET', '/api/tasks?limit=1000')).body;
        await work();
        assert.deepEqual((await api('GET', '/api/tasks?limit=1000')).body, before);
      };
      const assertNames = (response: { status: number; body: any }, field: string, status = 400) => {
        assert.equal(response.status, status, JSON.stringify(response.body));
        assert.match(response.body.error, new RegExp(field));
        assert.ok(
          response.body.details.some((detail: { field: string }) => detail.field === field),
          JSON.stringify(response.body.details),
        );
      };

      for (const offset of ['1e19', '9223372036854775808', '10000000000000000000', '2147483648'])
        it(`answers 400 naming offset for offset=${offset}, and documents the maximum`, async () => {
          const response = await api('GET', `/api/tasks?offset=${offset}`);
          assertNames(response, 'offset');
          const docs = (await api('GET', '/api/docs-json')).body;
          const parameter = docs.paths['/api/tasks'].get.parameters.find(
            (p: { name: string }) => p.name === 'offset',
          );
          assert.deepEqual(parameter.schema, {
            type: 'integer',
            minimum: 0,
            maximum: 2_147_483_647,
            default: 0,
          });
        });

      it('answers a page for the deepest documented offset', async () => {
        const response = await api('GET', '/api/tasks?offset=2147483647');
        assert.equal(response.status, 200);
        assert.deepEqual(response.body.tasks, []);
      });

      it('counts length in code points, as the database does: 200 × (a + U+FE0F) is 400 characters', async () => {
        await unchanged(async () => {
          const response = await api('POST', '/api/tasks', { title: 'a\ufe0f'.repeat(200) });
          assertNames(response, 'title');
          const description = await api('POST', '/api/tasks', {
            title: 't',
            description: 'a\ufe0f'.repeat(10_000),
          });
          assertNames(description, 'description');
        });
        const fits = await api('POST', '/api/tasks', {
          title: 'a\ufe0f'.repeat(100),
          description: 'a\ufe0f'.repeat(5_000),
        });
        assert.equal(fits.status, 201, JSON.stringify(fits.body).slice(0, 300));
        const emoji = await api('POST', '/api/tasks', { title: '🚀'.repeat(200) });
        assert.equal(emoji.status, 201, 'an astral character counts once');
        const stored = await api('GET', `/api/tasks/${fits.body.id}`);
        assert.equal(stored.body.title, 'a\ufe0f'.repeat(100));
        assert.equal(stored.body.description, 'a\ufe0f'.repeat(5_000));
        assert.equal((await api('GET', `/api/tasks/${emoji.body.id}`)).body.title, '🚀'.repeat(200));
      });

      for (const field of ['title', 'description'])
        it(`answers 400 naming ${field} for a NUL character, on both databases alike`, async () => {
          await unchanged(async () => {
            const body = field === 'title' ? { title: 'a\u0000b' } : { title: 't', description: 'a\u0000b' };
            const response = await api('POST', '/api/tasks', body);
            assertNames(response, field);
            assert.match(response.body.error, /NUL/);
          });
        });

      it('answers 400 naming title for a lone surrogate, so that what is answered is what is stored', async () => {
        await unchanged(async () => {
          const response = await api('POST', '/api/tasks', '{"title":"a\\ud800b"}');
          assertNames(response, 'title');
          assert.match(response.body.error, /surrogate/);
        });
        const pair = await api('POST', '/api/tasks', '{"title":"a\\ud83d\\ude80b"}');
        assert.equal(pair.status, 201);
        assert.equal((await api('GET', `/api/tasks/${pair.body.id}`)).body.title, 'a🚀b');
      });

      for (const [name, body] of [
        ['4,000 nested arrays', `{"title":"t","x":${'['.repeat(4000)}${']'.repeat(4000)}}`],
        ['6,000 nested objects', `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`],
        ['4,000 nested arrays as the body', `${'['.repeat(4000)}${']'.repeat(4000)}`],
      ] as const)
        it(`answers 400 naming body quickly for ${name}`, async () => {
          await unchanged(async () => {
            const started = performance.now();
            const response = await api('POST', '/api/tasks', body);
            const elapsed = performance.now() - started;
            assertNames(response, 'body');
            assert.match(response.body.error, /nest/);
            assert.ok(elapsed < 1000, `answered in ${elapsed} ms`);
          });
        });

      for (const id of ['1e3', '0x10', '1.0', '%201', '01', '1%20', '+1', '-0'])
        it(`answers 400 naming id for the id "${decodeURIComponent(id)}"`, async () => {
          for (const method of ['GET', 'DELETE']) {
            await unchanged(async () => assertNames(await api(method, `/api/tasks/${id}`), 'id'));
          }
          await unchanged(async () =>
            assertNames(await api('PUT', `/api/tasks/${id}`, { title: 'x' }), 'id'),
          );
        });

      for (const [name, query, field] of [
        ['limit', 'limit=1e2', 'limit'],
        ['limit', 'limit=%2010', 'limit'],
        ['ops', 'ops=0x10', 'ops'],
        ['delay', 'delay=', 'delay'],
        ['delay', 'delay=0x1', 'delay'],
      ] as const)
        it(`answers 400 naming ${name} for ${decodeURIComponent(query)}`, async () => {
          const path =
            name === 'ops' ? '/api/smoke/db' : name === 'delay' ? '/api/simulate-slow' : '/api/tasks';
          assertNames(await api(name === 'ops' ? 'POST' : 'GET', `${path}?${query}`), field);
        });

      it('answers 400 with its own message for a body that is not what its content-encoding says', async () => {
        await unchanged(async () => {
          const response = await raw(app().baseUrl, 'POST', '/api/tasks', '{"title":"t"}', {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
          });
          assert.equal(response.status, 400);
          assert.deepEqual(response.body, {
            error:
              'the request body does not decode as its content-encoding says: send it compressed as declared, or without content-encoding',
          });
        });
      });

      it('reads gzip, deflate and br bodies, and answers 415 for other encodings and charsets', async () => {
        const json = '{"title":"compressed"}';
        for (const [encoding, body] of [
          ['gzip', gzipSync(json)],
          ['deflate', deflateSync(json)],
          ['br', brotliCompressSync(json)],
        ] as const) {
          const response = await raw(app().baseUrl, 'POST', '/api/tasks', body, {
            'content-type': 'application/json',
            'content-encoding': encoding,
          });
          assert.equal(response.status, 201, `${encoding}: ${JSON.stringify(response.body)}`);
          assert.equal(response.body.title, 'compressed');
          await api('DELETE', `/api/tasks/${response.body.id}`);
        }
        for (const headers of [
          { 'content-type': 'application/json', 'content-encoding': 'zstd' } as Record<string, string>,
          { 'content-type': 'application/json; charset=latin1' },
        ])
          await unchanged(async () => {
            const response = await raw(app().baseUrl, 'POST', '/api/tasks', json, headers);
            assert.equal(response.status, 415, JSON.stringify(headers));
            assert.deepEqual(response.body, { error: 'unsupported body encoding: send UTF-8 JSON' });
          });
      });

      it('answers 413 for a compressed body that inflates past 64 KiB', async () => {
        await unchanged(async () => {
          const bomb = gzipSync(JSON.stringify({ title: 't', description: 'x'.repeat(200_000) }));
          assert.ok(bomb.length < 2048, `${bomb.length} bytes on the wire`);
          const response = await raw(app().baseUrl, 'POST', '/api/tasks', bomb, {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
          });
          assert.equal(response.status, 413);
          assert.deepEqual(response.body, { error: 'request body exceeds the 64 KiB limit' });
        });
      });

      for (const [name, body] of [
        ['__proto__', '{"title":"t","__proto__":{"admin":true}}'],
        ['constructor.prototype', '{"title":"t","x":{"constructor":{"prototype":{"admin":true}}}}'],
      ] as const)
        it(`answers 400 naming body for a ${name} key`, async () => {
          await unchanged(async () => {
            const response = await api('POST', '/api/tasks', body);
            assertNames(response, 'body');
            assert.match(response.body.error, /prototype|__proto__/);
          });
        });

      it('answers a URL that does not decode, and an overlong id, with 400 and a JSON error', async () => {
        const bad = await raw(app().baseUrl, 'GET', '/api/tasks/%zz');
        assert.equal(bad.status, 400);
        assert.deepEqual(bad.body, { error: 'malformed URL: its percent-encoding does not decode as UTF-8' });
        // Measured like any other request, with its own time (Fastify starts no clock for these).
        const scrape = await (await fetch(`${app().baseUrl}/metrics`)).text();
        const sum =
          /^http_request_duration_seconds_sum\{method="GET",endpoint="unmatched",status_code="400"\} (\S+)$/m.exec(
            scrape,
          );
        assert.ok(sum && Number(sum[1]) > 0, `duration recorded: ${sum?.[0]}`);
        await unchanged(async () => assertNames(await api('DELETE', `/api/tasks/${'9'.repeat(300)}`), 'id'));
        const overlong = await raw(app().baseUrl, 'GET', `/api/tasks/${'9'.repeat(600)}`);
        assert.equal(overlong.status, 400);
        assert.match(overlong.body.error, /path parameter is longer than 512/);
      });

      it('answers 405 on a path of other methods whatever the body holds', async () => {
        const response = await api('PUT', '/health/live', '{"__proto__":{"a":1}}');
        assert.equal(response.status, 405);
        assert.equal(response.body.error, 'PUT is not allowed on /health/live: use GET, HEAD');
      });

      it('answers 405 for a QUERY without a body type on an existing path, 404 on an unknown one', async () => {
        const known = await raw(app().baseUrl, 'QUERY', '/health/live');
        assert.equal(known.status, 405);
        assert.equal(known.headers['allow'], 'GET, HEAD');
        assert.equal((await raw(app().baseUrl, 'QUERY', '/nothing-here')).status, 404);
      });

      it('answers 405 with Allow for a method a path does not take (TRACE, PATCH), 404 for unknown paths', async () => {
        const trace = await raw(app().baseUrl, 'TRACE', '/api/tasks');
        assert.equal(trace.status, 405);
        assert.equal(trace.headers['allow'], 'GET, HEAD, POST');
        assert.deepEqual(trace.body, { error: 'TRACE is not allowed on /api/tasks: use GET, HEAD, POST' });
        const patch = await raw(app().baseUrl, 'PATCH', '/api/tasks/1', '{}', {
          'content-type': 'application/json',
        });
        assert.equal(patch.status, 405);
        assert.equal(patch.headers['allow'], 'GET, HEAD, PUT, DELETE');
        const unknown = await raw(app().baseUrl, 'TRACE', '/api/nothing-here');
        assert.equal(unknown.status, 404);
      });

      it('runs one smoke test at a time: the others get 429 with Retry-After, and the API and readiness stay up', async () => {
        const smokes = Array.from({ length: 12 }, () => api('POST', '/api/smoke/db?ops=3000&type=write'));
        const [list, ready] = await Promise.all([
          api('GET', '/api/tasks?limit=5'),
          api('GET', '/health/ready'),
        ]);
        assert.equal(list.status, 200);
        assert.equal(ready.status, 200);
        const answers = await Promise.all(smokes);
        const statuses = answers.map((answer) => answer.status).sort();
        assert.ok(statuses.includes(200), `one smoke test ran: ${statuses.join(', ')}`);
        assert.ok(
          statuses.every((status) => status === 200 || status === 429),
          statuses.join(', '),
        );
        const busy = answers.find((answer) => answer.status === 429);
        assert.ok(busy, `others were told to wait: ${statuses.join(', ')}`);
        assert.equal(busy.headers.get('retry-after'), '5');
        assert.deepEqual(busy.body, {
          error: 'a database smoke test is already running: retry when it has finished',
        });
        assert.equal(
          (await api('POST', '/api/smoke/db?ops=10&type=read')).status,
          200,
          'free again afterwards',
        );
      });
    });
  },
  async (api) => {
    const seeded = await api('POST', '/api/tasks', { title: 'seeded for the bad-input specs' });
    if (seeded.status !== 201 || seeded.body.id !== 1)
      throw new Error(`the seed task is not task 1: ${JSON.stringify(seeded.body)}`);
  },
);
