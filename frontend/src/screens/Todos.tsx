import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";

import {
  unwrap,
  unwrapWithEtag,
  type ApiClients,
  type Priority,
  type Todo,
  type TodoSort,
} from "../api/client";
import { ApiError, describe } from "../api/problems";
import { ActionError, Field, NO_PROBLEM, formProblem, type FormProblem } from "../forms";

const PAGE_SIZE = 20;
const PRIORITIES: Priority[] = ["low", "medium", "high"];
const SORTS: { value: TodoSort; label: string }[] = [
  { value: "-created_at", label: "Newest first" },
  { value: "created_at", label: "Oldest first" },
  { value: "due_at", label: "Due soonest" },
  { value: "-due_at", label: "Due latest" },
];
const TODO_FIELDS = ["title", "description", "priority", "due_at"];

type Status = "all" | "open" | "done";

interface Filters {
  status: Status;
  priority: Priority | "";
  search: string;
  sort: TodoSort;
}

export function TodosScreen({ api }: { api: ApiClients }) {
  const [filters, setFilters] = useState<Filters>({ status: "all", priority: "", search: "", sort: "-created_at" });
  const [search, setSearch] = useState("");
  const [items, setItems] = useState<Todo[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [listError, setListError] = useState<string | null>(null);

  const page = useCallback(
    (cursor: string | null) =>
      unwrap(
        api.todos.GET("/api/v1/todos", {
          params: {
            query: {
              limit: PAGE_SIZE,
              cursor: cursor ?? undefined,
              completed: filters.status === "all" ? undefined : filters.status === "done",
              priority: filters.priority || undefined,
              q: filters.search || undefined,
              sort: filters.sort,
            },
          },
        }),
      ),
    [api, filters],
  );

  const load = useCallback(async () => {
    setLoading(true);
    setListError(null);
    try {
      const first = await page(null);
      setItems(first.items);
      setNextCursor(first.next_cursor);
    } catch (error) {
      setListError(describe(error));
    } finally {
      setLoading(false);
    }
  }, [page]);

  useEffect(() => {
    void load();
  }, [load]);

  // Searching as one types, once the typing pauses.
  useEffect(() => {
    const wanted = search.trim();
    // Unchanged filters must stay the same object, or the list would reload (to page one).
    const timer = setTimeout(
      () => setFilters((current) => (current.search === wanted ? current : { ...current, search: wanted })),
      300,
    );
    return () => clearTimeout(timer);
  }, [search]);

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoading(true);
    try {
      const next = await page(nextCursor);
      setItems((current) => [...current, ...next.items]);
      setNextCursor(next.next_cursor);
    } catch (error) {
      setListError(describe(error));
    } finally {
      setLoading(false);
    }
  };

  const matches = (todo: Todo) =>
    (filters.status === "all" || todo.completed === (filters.status === "done")) &&
    (!filters.priority || todo.priority === filters.priority);

  const replaced = (todo: Todo) =>
    setItems((current) => (matches(todo) ? current.map((item) => (item.id === todo.id ? todo : item)) : current.filter((item) => item.id !== todo.id)));
  const removed = (id: string) => setItems((current) => current.filter((item) => item.id !== id));

  return (
    <section aria-labelledby="todos-title">
      <h2 id="todos-title">My todos</h2>
      <CreateTodo api={api} onCreated={(todo) => matches(todo) && setItems((current) => [todo, ...current])} />

      <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-status">Show</label>
          <select id="filter-status" value={filters.status} onChange={(event) => setFilters({ ...filters, status: event.target.value as Status })}>
            <option value="all">All</option>
            <option value="open">Open</option>
            <option value="done">Completed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-priority">Priority</label>
          <select id="filter-priority" value={filters.priority} onChange={(event) => setFilters({ ...filters, priority: event.target.value as Priority | "" })}>
            <option value="">Any</option>
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-search">Search</label>
          <input id="filter-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="filter-sort">Sort</label>
          <select id="filter-sort" value={filters.sort} onChange={(event) => setFilters({ ...filters, sort: event.target.value as TodoSort })}>
            {SORTS.map((sort) => (
              <option key={sort.value} value={sort.value}>
                {sort.label}
              </option>
            ))}
          </select>
        </div>
      </form>

      <ActionError message={listError}>
        <button type="button" onClick={() => void load()}>
          Try again
        </button>
      </ActionError>
      <ul className="todos" aria-label="Todos" aria-busy={loading}>
        {items.map((todo) => (
          <TodoItem key={todo.id} api={api} todo={todo} onChanged={replaced} onDeleted={removed} />
        ))}
      </ul>
      {!loading && items.length === 0 && !listError && <p role="status">No todos here.</p>}
      {nextCursor && (
        <button type="button" onClick={loadMore} disabled={loading}>
          Load more
        </button>
      )}
    </section>
  );
}

function CreateTodo({ api, onCreated }: { api: ApiClients; onCreated: (todo: Todo) => void }) {
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const [busy, setBusy] = useState(false);
  // One key per todo the user means to create: a retry after a lost answer reuses it, so
  // the todo is not created twice.
  const idempotencyKey = useRef(crypto.randomUUID());

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setBusy(true);
    setProblem(NO_PROBLEM);
    try {
      const todo = await unwrap(
        api.todos.POST("/api/v1/todos", {
          params: { header: { "idempotency-key": idempotencyKey.current } },
          body: {
            title: String(form.get("title")),
            description: String(form.get("description")) || null,
            priority: form.get("priority") as Priority,
            due_at: dueAt(form.get("due")),
            completed: false,
          },
        }),
      );
      idempotencyKey.current = crypto.randomUUID();
      formElement.reset();
      onCreated(todo);
    } catch (error) {
      setProblem(formProblem(error, TODO_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card create" aria-label="New todo" onSubmit={submit} noValidate>
      <h3>New todo</h3>
      <Field label="Title" name="title" required maxLength={200} error={problem.fields.title} />
      <Field label="Description" name="description" error={problem.fields.description} />
      <div className="row">
        <PrioritySelect id="new-priority" defaultValue="medium" error={problem.fields.priority} />
        <Field label="Due date" name="due" type="date" error={problem.fields.due_at} />
      </div>
      <ActionError message={problem.message} />
      <button type="submit" disabled={busy}>
        Add todo
      </button>
    </form>
  );
}

function TodoItem({
  api,
  todo,
  onChanged,
  onDeleted,
}: {
  api: ApiClients;
  todo: Todo;
  onChanged: (todo: Todo) => void;
  onDeleted: (id: string) => void;
}) {
  const [editing, setEditing] = useState<EditCopy | null>(null);
  const [error, setError] = useState<string | null>(null);

  const path = { params: { path: { todo_id: todo.id } } };

  const toggle = async () => {
    setError(null);
    try {
      onChanged(await unwrap(api.todos.PATCH("/api/v1/todos/{todo_id}", { ...path, body: { completed: !todo.completed } })));
    } catch (failure) {
      setError(describe(failure));
    }
  };

  const remove = async () => {
    setError(null);
    try {
      await unwrap(api.todos.DELETE("/api/v1/todos/{todo_id}", path));
      onDeleted(todo.id);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 404) onDeleted(todo.id);
      else setError(describe(failure));
    }
  };

  const edit = async () => {
    setError(null);
    try {
      // A fresh read: its ETag guards the save against changes made elsewhere meanwhile.
      setEditing(await readTodo(api, todo.id));
    } catch (failure) {
      setError(describe(failure));
    }
  };

  if (editing) {
    return (
      <li className="todo editing">
        <EditTodo
          api={api}
          copy={editing}
          onReloaded={setEditing}
          onSaved={(saved) => {
            setEditing(null);
            onChanged(saved);
          }}
          onCancel={() => setEditing(null)}
        />
      </li>
    );
  }

  const due = todo.due_at ? new Date(todo.due_at).toLocaleDateString() : null;
  return (
    <li className={`todo${todo.completed ? " done" : ""}`}>
      <input type="checkbox" checked={todo.completed} onChange={toggle} aria-label={`Done: ${todo.title}`} />
      <div className="todo-text">
        <span className="title">{todo.title}</span>
        {todo.description && <span className="description">{todo.description}</span>}
        <span className="meta">
          <span className={`priority ${todo.priority}`}>{todo.priority}</span>
          {due && <span> · due {due}</span>}
        </span>
      </div>
      <div className="todo-actions">
        <button type="button" onClick={edit} aria-label={`Edit ${todo.title}`}>
          Edit
        </button>
        <button type="button" className="danger" onClick={remove} aria-label={`Delete ${todo.title}`}>
          Delete
        </button>
      </div>
      <ActionError message={error} />
    </li>
  );
}

function EditTodo({
  api,
  copy,
  onReloaded,
  onSaved,
  onCancel,
}: {
  api: ApiClients;
  copy: EditCopy;
  onReloaded: (copy: EditCopy) => void;
  onSaved: (todo: Todo) => void;
  onCancel: () => void;
}) {
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const { todo, etag } = copy;
  const path = { todo_id: todo.id };

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setProblem(NO_PROBLEM);
    setStale(false);
    try {
      const saved = await unwrap(
        api.todos.PATCH("/api/v1/todos/{todo_id}", {
          params: { path, header: { "if-match": etag ?? undefined } },
          body: {
            title: String(form.get("title")),
            description: String(form.get("description")) || null,
            priority: form.get("priority") as Priority,
            due_at: dueAt(form.get("due")),
          },
        }),
      );
      onSaved(saved);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setStale(true);
      } else {
        setProblem(formProblem(error, TODO_FIELDS));
      }
      setBusy(false);
    }
  };

  const reload = async () => {
    try {
      onReloaded(await readTodo(api, todo.id));
      setStale(false);
    } catch (error) {
      setProblem({ message: describe(error), fields: {} });
    }
  };

  // The key makes the fields take the reloaded values.
  return (
    <form key={etag ?? todo.updated_at} aria-label={`Edit todo ${todo.title}`} onSubmit={save} noValidate className="card">
      <Field label="Title" name="title" required maxLength={200} defaultValue={todo.title} error={problem.fields.title} />
      <Field label="Description" name="description" defaultValue={todo.description ?? ""} error={problem.fields.description} />
      <div className="row">
        <PrioritySelect id={`priority-${todo.id}`} defaultValue={todo.priority} error={problem.fields.priority} />
        <Field label="Due date" name="due" type="date" defaultValue={todo.due_at ? localDate(todo.due_at) : ""} error={problem.fields.due_at} />
      </div>
      {stale && (
        <div className="action-error" role="alert">
          <p>This todo was changed elsewhere (another tab or device) since you opened it. Reload it to see the latest version, then make your change again.</p>
          <button type="button" onClick={reload}>
            Reload todo
          </button>
        </div>
      )}
      <ActionError message={problem.message} />
      <div className="row">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function PrioritySelect({ id, defaultValue, error }: { id: string; defaultValue: Priority; error?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>Priority</label>
      <select id={id} name="priority" defaultValue={defaultValue} aria-invalid={error ? true : undefined}>
        {PRIORITIES.map((priority) => (
          <option key={priority} value={priority}>
            {priority}
          </option>
        ))}
      </select>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

interface EditCopy {
  todo: Todo;
  etag: string | null;
}

/** The todo as it is now, with the ETag that guards a change to it. */
async function readTodo(api: ApiClients, id: string): Promise<EditCopy> {
  const { data, etag } = await unwrapWithEtag(api.todos.GET("/api/v1/todos/{todo_id}", { params: { path: { todo_id: id } } }));
  return { todo: data, etag };
}

/** A date input's day as the end of that day, local time, in ISO 8601. */
function dueAt(value: FormDataEntryValue | null): string | null {
  if (!value) return null;
  return new Date(`${String(value)}T23:59:00`).toISOString();
}

function localDate(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
