import { describe, expect, it } from 'vitest';
import {
  collect,
  descOf,
  MANIFEST,
  manifestBytes,
  useRepositoryFixture,
} from '../../test-support/repository-fixture.js';
import { RepositoryContext } from '../context.js';
import { withSubjectLock } from './subject-lock.js';

const fx = useRepositoryFixture();

describe('withSubjectLock', () => {
  it('runs the updates of one subject one at a time, in order, and others alongside', async () => {
    const ctx = (name: string) =>
      new RepositoryContext({
        reference: `registry.example/${name}`,
        client: { request: () => Promise.reject(new Error('unused')) },
      });
    const subject = descOf(MANIFEST, manifestBytes());
    const other = descOf(MANIFEST, manifestBytes({ annotations: { other: 'yes' } }));
    const log: string[] = [];
    let inside = 0;
    const update = (name: string) => async () => {
      inside++;
      log.push(`start ${name} (${inside} inside)`);
      await new Promise((resolve) => setImmediate(resolve));
      inside--;
      log.push(`end ${name}`);
      if (name === 'b') throw new Error('b failed');
      return name;
    };
    const runs = await Promise.allSettled([
      withSubjectLock(ctx('app'), subject, update('a')),
      withSubjectLock(ctx('app'), subject, update('b')),
      withSubjectLock(ctx('app'), subject, update('c')),
    ]);
    expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toEqual([
      'start a (1 inside)',
      'end a',
      'start b (1 inside)',
      'end b',
      'start c (1 inside)',
      'end c',
    ]);

    log.length = 0;
    await Promise.all([
      withSubjectLock(ctx('app'), subject, update('same')),
      withSubjectLock(ctx('app'), other, update('other subject')),
      withSubjectLock(ctx('lib'), subject, update('other repository')),
    ]);
    expect(log.slice(0, 3)).toEqual([
      'start same (1 inside)',
      'start other subject (2 inside)',
      'start other repository (3 inside)',
    ]);
  });

  it('keeps all 8 referrers pushed at once, and the rest when 4 are deleted at once', async () => {
    await fx.setup({ referrersApi: false });
    const repo = () => fx.repo({ referrersCapability: false });
    const subjectBytes = manifestBytes();
    const subject = descOf(MANIFEST, subjectBytes);
    await repo().push(subject, subjectBytes);
    const referrers = Array.from({ length: 8 }, (_, i) => {
      const bytes = manifestBytes({ artifactType: `application/x-r${i}`, subject });
      return { desc: descOf(MANIFEST, bytes), bytes };
    });
    await Promise.all(referrers.map(({ desc, bytes }) => repo().push(desc, bytes)));
    const listed = async () => (await collect(repo().referrers(subject))).map((d) => d.digest).sort();
    expect(await listed()).toEqual(referrers.map((x) => x.desc.digest).sort());
    await Promise.all(referrers.slice(0, 4).map(({ desc }) => repo().delete(desc)));
    expect(await listed()).toEqual(
      referrers
        .slice(4)
        .map((x) => x.desc.digest)
        .sort(),
    );
  });
});
