// The tasks API over HTTP on both databases: create, list and page, update, delete, errors, the
// smoke and simulation endpoints, OpenAPI and health. Bad and hostile input: tasks.input.spec.ts.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeTasksApi, ISO_UTC, TASK_KEYS } from '../testing/tasks-api.fixture.js';

describeTasksApi(({ api }) => {
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

  it('answers /api/tasks/ as /api/tasks, and a path of another case as unknown', async () => {
    const created = (await api('POST', '/api/tasks', { title: 'slash' })).body;
    const slashed = await api('GET', '/api/tasks/?limit=1000');
    assert.equal(slashed.status, 200);
    assert.ok(slashed.body.tasks.some((task: { id: number }) => task.id === created.id));
    assert.equal((await api('GET', `/api/tasks/${created.id}/`)).body.title, 'slash');
    assert.equal((await api('GET', '/API/TASKS')).status, 404);
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

  it('serves the OpenAPI document with the task routes and the title limit', async () => {
    const response = await api('GET', '/api/docs-json');
    assert.equal(response.status, 200);
    assert.ok(response.body.paths['/api/tasks'].post);
    assert.ok(response.body.paths['/api/tasks/{id}'].put);
    assert.ok(response.body.paths['/api/smoke/db'].post);
    const title = response.body.components.schemas.CreateTaskDto.properties.title;
    const pattern = new RegExp(title.pattern, 'u');
    assert.ok(pattern.test('x'.repeat(200)) && pattern.test(` ${'x'.repeat(200)} `), 'the title limit: 200');
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
