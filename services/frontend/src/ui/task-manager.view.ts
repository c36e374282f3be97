import { type ActionScope, traced } from './browser-tracing.js';
import { ApiError, type Task, tasksApi, totalsOf } from './tasks.client.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found as T;
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The task list: add, complete/uncomplete, edit, delete, with totals. Every user action is one
 * span whose trace id is shown in the status line (and kept on `data-trace-id` for tests).
 */
export class TaskManagerView {
  private readonly list = element<HTMLUListElement>('task-list');
  private readonly empty = element<HTMLParagraphElement>('empty');
  private readonly loading = element<HTMLParagraphElement>('loading');
  private readonly status = element<HTMLDivElement>('status');
  private readonly form = element<HTMLFormElement>('add-form');
  private readonly titleInput = element<HTMLInputElement>('add-title');
  private readonly descriptionInput = element<HTMLTextAreaElement>('add-description');
  private tasks: Task[] = [];

  start(): Promise<void> {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.add();
    });
    return this.action('tasks.load', {}, (scope) => this.reload(scope)).then(() => {
      // Loaded, or failed with the reason in the status line: either way no longer loading.
      this.loading.hidden = true;
      element('totals').removeAttribute('aria-busy');
    });
  }

  /** Runs a traced action, reporting its outcome and trace id in the status line. */
  private async action(
    name: string,
    attributes: Record<string, string | number | boolean>,
    work: (scope: ActionScope) => Promise<void>,
    done?: string,
  ): Promise<void> {
    let traceId = '';
    try {
      await traced(name, attributes, async (scope) => {
        traceId = scope.traceId;
        await work(scope);
      });
      if (done) this.say(done, traceId, false);
    } catch (error) {
      this.say(messageOf(error), traceId, true);
    }
  }

  private say(message: string, traceId: string, isError: boolean): void {
    this.status.textContent = traceId ? `${message} (trace ${traceId})` : message;
    this.status.dataset['traceId'] = traceId;
    this.status.classList.toggle('error', isError);
  }

  private async reload(scope: ActionScope): Promise<void> {
    const { tasks } = await tasksApi.list(scope.context);
    this.tasks = tasks;
    this.render();
  }

  private async add(): Promise<void> {
    const title = this.titleInput.value.trim();
    if (!title) {
      this.titleInput.setAttribute('aria-invalid', 'true');
      this.say('A task needs a title.', '', true);
      this.titleInput.focus();
      return;
    }
    this.titleInput.removeAttribute('aria-invalid');
    const description = this.descriptionInput.value;
    await this.action(
      'task.create',
      {},
      async (scope) => {
        const task = await tasksApi.create(scope.context, description ? { title, description } : { title });
        scope.span.setAttribute('task.id', task.id);
        this.form.reset();
        await this.reload(scope);
      },
      `Added “${title}”.`,
    );
    this.titleInput.focus();
  }

  private toggle(task: Task): Promise<void> {
    const completed = !task.completed;
    return this.action(
      'task.toggle',
      { 'task.id': task.id, 'task.completed': completed },
      async (scope) => {
        await tasksApi.update(scope.context, task.id, { completed });
        await this.reload(scope);
      },
      completed ? `Completed “${task.title}”.` : `Reopened “${task.title}”.`,
    );
  }

  private remove(task: Task): Promise<void> {
    return this.action(
      'task.delete',
      { 'task.id': task.id },
      async (scope) => {
        await tasksApi.remove(scope.context, task.id);
        await this.reload(scope);
      },
      `Deleted “${task.title}”.`,
    );
  }

  private save(task: Task, title: string, description: string): Promise<void> {
    return this.action(
      'task.update',
      { 'task.id': task.id },
      async (scope) => {
        await tasksApi.update(scope.context, task.id, { title: title.trim(), description });
        await this.reload(scope);
      },
      `Saved “${title.trim()}”.`,
    );
  }

  private render(): void {
    const totals = totalsOf(this.tasks);
    element('total-all').textContent = String(totals.all);
    element('total-completed').textContent = String(totals.completed);
    element('total-pending').textContent = String(totals.pending);
    this.empty.hidden = this.tasks.length > 0;
    this.list.replaceChildren(...this.tasks.map((task) => this.item(task)));
  }

  private item(task: Task): HTMLLIElement {
    const li = document.createElement('li');
    li.className = task.completed ? 'task done' : 'task';
    li.dataset['taskId'] = String(task.id);

    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    checkbox.checked = task.completed;
    checkbox.id = `task-${task.id}-done`;
    checkbox.addEventListener('change', () => void this.toggle(task));
    const label = document.createElement('label');
    label.htmlFor = checkbox.id;
    label.className = 'title';
    label.textContent = task.title;

    const text = document.createElement('div');
    text.className = 'text';
    text.append(label);
    if (task.description) {
      const description = document.createElement('p');
      description.className = 'description';
      description.textContent = task.description;
      text.append(description);
    }

    const edit = this.button('Edit', `Edit “${task.title}”`, () => this.editItem(li, task));
    const remove = this.button('Delete', `Delete “${task.title}”`, () => void this.remove(task));
    remove.classList.add('danger');
    const buttons = document.createElement('div');
    buttons.className = 'row-actions';
    buttons.append(edit, remove);
    li.append(checkbox, text, buttons);
    return li;
  }

  private editItem(li: HTMLLIElement, task: Task): void {
    const form = document.createElement('form');
    form.className = 'edit';
    const title = this.field(`task-${task.id}-title`, 'Title', document.createElement('input'));
    title.input.value = task.title;
    title.input.required = true;
    title.input.maxLength = 200;
    const description = this.field(
      `task-${task.id}-description`,
      'Description',
      document.createElement('textarea'),
    );
    description.input.value = task.description;
    description.input.maxLength = 10_000;
    const save = document.createElement('button');
    save.type = 'submit';
    save.className = 'primary';
    save.textContent = 'Save';
    const cancel = this.button('Cancel', `Cancel editing “${task.title}”`, () => this.render());
    const buttons = document.createElement('div');
    buttons.className = 'row-actions';
    buttons.append(save, cancel);
    form.append(title.wrapper, description.wrapper, buttons);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!title.input.value.trim()) {
        title.input.setAttribute('aria-invalid', 'true');
        title.input.focus();
        return;
      }
      void this.save(task, title.input.value, description.input.value);
    });
    li.replaceChildren(form);
    title.input.focus();
  }

  private field<T extends HTMLInputElement | HTMLTextAreaElement>(
    id: string,
    text: string,
    input: T,
  ): { wrapper: HTMLDivElement; input: T } {
    const wrapper = document.createElement('div');
    wrapper.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = text;
    input.id = id;
    wrapper.append(label, input);
    return { wrapper, input };
  }

  private button(text: string, accessibleName: string, onClick: () => void): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text;
    button.setAttribute('aria-label', accessibleName);
    button.addEventListener('click', onClick);
    return button;
  }
}
