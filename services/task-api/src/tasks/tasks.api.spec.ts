import { startPostgres, type PostgresServer } from '@obslab/testing';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { call, startTestApp, type TestApp } from '../testing/test-app.js';

let postgres: PostgresServer;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.destroy();
});

/** A raw HTTP request (fetch refuses TRACE and sets its own content-encoding rules). */
function raw(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

const TASK_KEYS = ['completed', 'created_at', 'description', 'id', 'title', 'updated_at'];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`tasks API on ${database}`, () => {
    let app: TestApp;
    const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      call(app.baseUrl, method, path, body, headers);

    before(async () => {
      const databaseUrl =
        database === 'postgres' ? await postgres.createDatabase('tasks_api_spec') : undefined;
      app = await startTestApp(databaseUrl ? { databaseUrl } : {});
    });
    after(async () => {
      await app?.close();
    });

    it('creates a task with a trimmed title and returns the full task shape', async () => {
      const created = await api('POST', '/api/tasks', {
        title: '  Write the runbook  ',
        description: 'for the burn-rate page',
      });
      assert.equal(created.status, 201);
      assert.deepEqual(Object.keys(created.body).sort(), TASK_KEYS);
      assert.equal(created.body.title, 'Write the runbook');
      assert.equal(created.body.description, 'for the burn-rate page');
      assert.equal(created.body.completed, false);
      assert.match(created.body.created_at, ISO_UTC);
      assert.equal(created.body.updated_at, created.body.created_at);

      const fetched = await api('GET', `/api/tasks/${created.body.id}`);
      assert.equal(fetched.status, 200);
      assert.deepEqual(fetched.body, created.body);
    });

    it('stores quotes, unicode and SQL look-alikes verbatim', async () => {
      const title = `Robert'); DROP TABLE tasks;-- "ünïcødé" 🚀 \\ %_`;
      const description = `line 1\nline 2\t' OR '1'='1 ${'x'.repeat(100)}`;
      const created = await api('POST', '/api/tasks', { title, description, completed: true });
      assert.equal(created.status, 201);
      const fetched = await api('GET', `/api/tasks/${created.body.id}`);
      assert.equal(fetched.body.title, title);
      assert.equal(fetched.body.description, description);
      assert.equal(fetched.body.completed, true);
      const list = await api('GET', '/api/tasks');
      assert.ok(
        list.body.tasks.some((task: { title: string }) => task.title === title),
        'the tasks table still exists and holds the row',
      );
    });

    it('lists tasks newest first with count, and filters by completion', async () => {
      const titles = ['first', 'second', 'third'];
      const ids: number[] = [];
      for (const title of titles)
        ids.push((await api('POST', '/api/tasks', { title, completed: title === 'second' })).body.id);
      const list = await api('GET', '/api/tasks?limit=3');
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.tasks.map((task: { id: number }) => task.id),
        [...ids].reverse(),
      );
      assert.equal(list.body.count, 3);

      const completed = await api('GET', '/api/tasks?completed=true');
      assert.ok(completed.body.tasks.length >= 1);
      assert.ok(completed.body.tasks.every((task: { completed: boolean }) => task.completed === true));
      assert.equal(completed.body.count, completed.body.tasks.length);
      const pending = await api('GET', '/api/tasks?completed=false');
      assert.ok(pending.body.tasks.every((task: { completed: boolean }) => task.completed === false));
      const all = await api('GET', '/api/tasks');
      assert.equal(all.body.count, completed.body.count + pending.body.count);
    });

    it('pages with limit and offset', async () => {
      const all = (await api('GET', '/api/tasks?limit=1000')).body.tasks as { id: number }[];
      assert.ok(all.length >= 4);
      const page = await api('GET', '/api/tasks?limit=2&offset=1');
      assert.deepEqual(
        page.body.tasks.map((task: { id: number }) => task.id),
        all.slice(1, 3).map((task) => task.id),
      );
      assert.equal(page.body.limit, 2);
      assert.equal(page.body.offset, 1);
    });

    it('pages with the after cursor: pages join up to the whole list, and the last has no next_cursor', async () => {
      const all = (await api('GET', '/api/tasks?limit=1000')).body.tasks as { id: number }[];
      assert.ok(all.length >= 5);
      const seen: number[] = [];
      let path = '/api/tasks?limit=2';
      for (;;) {
        const page = await api('GET', path);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        seen.push(...page.body.tasks.map((task: { id: number }) => task.id));
        if (page.body.next_cursor === null) break;
        assert.equal(typeof page.body.next_cursor, 'string');
        path = `/api/tasks?limit=2&after=${encodeURIComponent(page.body.next_cursor)}`;
      }
      assert.deepEqual(
        seen,
        all.map((task) => task.id),
      );
      const first = await api('GET', '/api/tasks?limit=2');
      const skipped = await api('GET', `/api/tasks?limit=1&offset=1&after=${first.body.next_cursor}`);
      assert.deepEqual(
        skipped.body.tasks.map((task: { id: number }) => task.id),
        [all[3]!.id],
        'offset skips rows after the cursor',
      );
    });

    it('pages pending tasks with the after cursor when filtered by completion', async () => {
      const pending = (await api('GET', '/api/tasks?completed=false&limit=1000')).body.tasks as {
        id: number;
        completed: boolean;
      }[];
      assert.ok(pending.length >= 3);
      const first = await api('GET', '/api/tasks?completed=false&limit=1');
      const second = await api('GET', `/api/tasks?completed=false&limit=2&after=${first.body.next_cursor}`);
      assert.equal(second.status, 200);
      assert.deepEqual(
        second.body.tasks.map((task: { id: number }) => task.id),
        pending.slice(1, 3).map((task) => task.id),
      );
      assert.ok(second.body.tasks.every((task: { completed: boolean }) => task.completed === false));
    });

    it('updates only the fields given and moves updated_at', async () => {
      const created = (await api('POST', '/api/tasks', { title: 'partial', description: 'keep me' })).body;
      const updated = await api('PUT', `/api/tasks/${created.id}`, { completed: true });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.completed, true);
      assert.equal(updated.body.title, 'partial');
      assert.equal(updated.body.description, 'keep me');
      assert.equal(updated.body.created_at, created.created_at);
      assert.ok(updated.body.updated_at >= created.updated_at);
      const retitled = await api('PUT', `/api/tasks/${created.id}`, { title: ' renamed ' });
      assert.equal(retitled.body.title, 'renamed');
      assert.equal(retitled.body.completed, true);
    });

    it('deletes a task, then answers 404 for it', async () => {
      const created = (await api('POST', '/api/tasks', { title: 'short-lived' })).body;
      const deleted = await api('DELETE', `/api/tasks/${created.id}`);
      assert.equal(deleted.status, 200);
      assert.match(deleted.body.message, new RegExp(`task ${created.id} deleted`));
      assert.equal((await api('GET', `/api/tasks/${created.id}`)).status, 404);
      assert.equal((await api('DELETE', `/api/tasks/${created.id}`)).status, 404);
      assert.equal((await api('PUT', `/api/tasks/${created.id}`, { title: 'x' })).status, 404);
    });

    it('answers 404 with an error naming the id, including ids beyond the column range', async () => {
      for (const id of ['999999', '2147483648', '999999999999999']) {
        const response = await api('GET', `/api/tasks/${id}`);
        assert.equal(response.status, 404, id);
        assert.deepEqual(response.body, { error: `task ${id} not found` });
      }
    });

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

    it('answers 400 for malformed JSON and for a PUT whose body is not JSON, without leaking parser text', async () => {
      const malformed = await api('POST', '/api/tasks', '{"title": "unterminated');
      assert.equal(malformed.status, 400);
      assert.deepEqual(malformed.body, { error: 'malformed JSON body: send a valid JSON object' });
      const id = (await api('POST', '/api/tasks', { title: 'target' })).body.id;
      const text = await api('PUT', `/api/tasks/${id}`, 'completed=true', { 'content-type': 'text/plain' });
      assert.equal(text.status, 400);
      assert.match(text.body.error, /body/);
      assert.equal((await api('GET', `/api/tasks/${id}`)).body.completed, false);
    });

    it('answers 413 for a body over 64 KiB and stores nothing', async () => {
      const before = (await api('GET', '/api/tasks?limit=1000')).body.count;
      const response = await api('POST', '/api/tasks', { title: 't', description: 'x'.repeat(70 * 1024) });
      assert.equal(response.status, 413);
      assert.deepEqual(response.body, { error: 'request body exceeds the 64 KiB limit' });
      assert.equal((await api('GET', '/api/tasks?limit=1000')).body.count, before);
    });

    it('fails /api/simulate-error with 500 and a message, no stack trace', async () => {
      const response = await api('GET', '/api/simulate-error');
      assert.equal(response.status, 500);
      assert.match(response.body.error, /simulated failure/);
      assert.doesNotMatch(JSON.stringify(response.body), /at .*\.js:\d+/);
    });

    it('waits the requested delay on /api/simulate-slow', async () => {
      const started = performance.now();
      const response = await api('GET', '/api/simulate-slow?delay=0.3');
      const elapsed = performance.now() - started;
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { message: 'responded after 0.3 s', delay: 0.3 });
      assert.ok(elapsed >= 290, `waited ${elapsed} ms`);
    });

    it('runs smoke DB operations in a transaction that is rolled back', async () => {
      const before = (await api('GET', '/api/tasks?limit=1000')).body;
      const response = await api('POST', '/api/smoke/db?ops=101&type=rw');
      assert.equal(response.status, 200);
      assert.equal(response.body.ok, true);
      assert.equal(response.body.requested_ops, 101);
      assert.deepEqual(response.body.performed, { read: 51, write: 50 });
      assert.equal(response.body.rolled_back, true);
      assert.deepEqual((await api('GET', '/api/tasks?limit=1000')).body, before);
      const writes = await api('POST', '/api/smoke/db?ops=7&type=write');
      assert.deepEqual(writes.body.performed, { read: 0, write: 7 });
    });

    it('keeps tasks created while a smoke transaction is rolled back', async () => {
      const smoke = api('POST', '/api/smoke/db?ops=3000&type=write');
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) => api('POST', '/api/tasks', { title: `concurrent ${i}` })),
      );
      assert.ok(created.every((response) => response.status === 201));
      assert.equal((await smoke).status, 200);
      for (const response of created) {
        const fetched = await api('GET', `/api/tasks/${response.body.id}`);
        assert.equal(fetched.status, 200, `task ${response.body.id} survived the rollback`);
        assert.equal(fetched.body.title, response.body.title);
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
          const response = await raw(app.baseUrl, 'POST', '/api/tasks', '{"title":"t"}', {
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

      it('answers 405 with Allow for a method a path does not take (TRACE, PATCH), 404 for unknown paths', async () => {
        const trace = await raw(app.baseUrl, 'TRACE', '/api/tasks');
        assert.equal(trace.status, 405);
        assert.equal(trace.headers['allow'], 'GET, HEAD, POST');
        assert.deepEqual(trace.body, { error: 'TRACE is not allowed on /api/tasks: use GET, HEAD, POST' });
        const patch = await raw(app.baseUrl, 'PATCH', '/api/tasks/1', '{}', {
          'content-type': 'application/json',
        });
        assert.equal(patch.status, 405);
        assert.equal(patch.headers['allow'], 'GET, HEAD, PUT, DELETE');
        const unknown = await raw(app.baseUrl, 'TRACE', '/api/nothing-here');
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

    it('serves the OpenAPI document with the task routes and the title limit', async () => {
      const response = await api('GET', '/api/docs-json');
      assert.equal(response.status, 200);
      assert.ok(response.body.paths['/api/tasks'].post);
      assert.ok(response.body.paths['/api/tasks/{id}'].put);
      assert.ok(response.body.paths['/api/smoke/db'].post);
      const title = response.body.components.schemas.CreateTaskDto.properties.title;
      const pattern = new RegExp(title.pattern, 'u');
      assert.ok(
        pattern.test('x'.repeat(200)) && pattern.test(` ${'x'.repeat(200)} `),
        'the title limit: 200',
      );
      assert.ok(
        !pattern.test('x'.repeat(201)) && !pattern.test('   ') && !pattern.test('a\u0000'),
        title.pattern,
      );
      for (const name of ['CreateTaskDto', 'UpdateTaskDto', 'TaskDto', 'ErrorBodyDto'])
        assert.equal(response.body.components.schemas[name].additionalProperties, false, name);
      assert.equal(response.body.components.schemas.UpdateTaskDto.minProperties, 1);
      const id = response.body.paths['/api/tasks/{id}'].get.parameters[0];
      assert.deepEqual(id.schema, { type: 'integer', minimum: 0, maximum: 999_999_999_999_999 });
      assert.deepEqual(Object.keys(response.body.paths['/api/tasks'].post.responses), [
        '201',
        '400',
        '413',
        '415',
        '503',
      ]);
      assert.ok(response.body.paths['/api/tasks'].get.responses['503'].headers['Retry-After']);
      assert.ok(response.body.paths['/api/smoke/db'].post.responses['429'].headers['Retry-After']);
      assert.deepEqual(Object.keys(response.body.paths['/api/simulate-error'].get.responses), ['500']);
      const listParameters = (response.body.paths['/api/tasks'].get.parameters as { name: string }[]).map(
        (parameter) => parameter.name,
      );
      assert.ok(
        listParameters.includes('after'),
        `the after cursor is documented: ${listParameters.join(', ')}`,
      );
    });

    it('answers liveness and readiness with the database status', async () => {
      const live = await api('GET', '/health/live');
      assert.equal(live.status, 200);
      assert.equal(live.body.status, 'ok');
      for (const path of ['/health/ready', '/health']) {
        const ready = await api('GET', path);
        assert.equal(ready.status, 200);
        assert.equal(ready.body.status, 'ok');
        assert.equal(ready.body.details.database.status, 'up');
        assert.match(ready.body.timestamp, ISO_UTC);
      }
    });
  });
}
