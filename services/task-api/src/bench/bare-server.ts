// The benchmark's ceiling: a bare node:http JSON server with the task API's three benchmarked
// routes over an in-memory array, no framework, no database, no telemetry.
import { createServer } from 'node:http';
import type { TaskResponse } from '../tasks/task.record.js';

type Task = TaskResponse;

const tasks: Task[] = [];
const byId = new Map<number, Task>();
const port = Number(process.argv[2] ?? 0);

const server = createServer((request, response) => {
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };
  const url = request.url ?? '/';
  if (request.method === 'GET' && url === '/health/ready') return send(200, { status: 'ok' });
  if (request.method === 'GET' && url.startsWith('/api/tasks/')) {
    const task = byId.get(Number(url.slice('/api/tasks/'.length)));
    return task ? send(200, task) : send(404, { error: 'not found' });
  }
  if (request.method === 'GET' && url.startsWith('/api/tasks')) {
    const page = tasks.slice(-100).reverse();
    return send(200, { tasks: page, count: page.length, limit: 100, offset: 0 });
  }
  if (request.method === 'POST' && url === '/api/tasks') {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const input = JSON.parse(body) as { title: string; description?: string };
      const now = new Date().toISOString();
      const task = {
        id: tasks.length + 1,
        title: input.title.trim(),
        description: input.description ?? '',
        completed: false,
        created_at: now,
        updated_at: now,
      };
      tasks.push(task);
      byId.set(task.id, task);
      send(201, task);
    });
    return;
  }
  send(404, { error: 'not found' });
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
