/**
 * One writer at a time per subject: the tag-schema index of a subject is read, changed and
 * written back, so two updates of it running at once would each write what they read plus their
 * own change, and the last one would drop the other's referrer. Within a process, updates of one
 * subject of one repository wait for each other here (as oras-go serialises them per tag); across
 * processes, `tag-schema.ts` checks the tag before writing and reads it again after.
 */
import type { Descriptor } from '@oras/spec';
import type { RepositoryContext } from '../context.js';

/** The last update queued for each subject (`host/name@digest`); the entry goes when the queue empties. */
const queues = new Map<string, Promise<void>>();

/** The name of a subject's queue: `host/name@digest` (the same subject in any repository object). */
export function subjectKey(ctx: RepositoryContext, subject: Descriptor): string {
  return `${ctx.host}/${ctx.name}@${subject.digest}`;
}

/**
 * Runs `update` once every update of the same subject queued before it (in any repository object
 * of this process naming the same registry and repository) has finished, successfully or not.
 */
export async function withSubjectLock<T>(
  ctx: RepositoryContext,
  subject: Descriptor,
  update: () => Promise<T>,
): Promise<T> {
  const key = subjectKey(ctx, subject);
  const before = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = before.then(() => done);
  queues.set(key, tail);
  await before;
  try {
    return await update();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}
