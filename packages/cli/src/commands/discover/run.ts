/** The implementation of `oras discover`: the referrer graph, walked with a visited set. */
import { findReferrers, type ReadOnlyGraphStorage } from '@oras/content';
import { Annotation, type Descriptor, isDigest } from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { CliError } from '../../errors.js';
import { resolvePlatform } from '../../graph.js';
import { printable } from '../../output/escape.js';
import { type DiscoverModel, descriptorModel, goJson, writeResult } from '../../output/metadata.js';
import { annotationsNode, renderTreeTo, type TreeNode } from '../../output/tree.js';
import { openReadOnlyTarget } from '../../targets.js';
import type { DiscoverOptions } from './command.js';

/** A referrer found under a subject. */
interface Found {
  readonly desc: Descriptor;
  readonly referrers: Found[];
}

/**
 * The most levels of referrers discover shows. A real chain (signature of an SBOM of an image)
 * is a handful of levels; a registry that answers with 10,000 would make the printed tree and
 * JSON grow with the square of the depth (each line is indented by its level).
 */
export const MAX_DISCOVER_DEPTH = 1000;

/**
 * The most bytes of referrer descriptors (as JSON) discover holds: it prints a tree grouped by
 * artifact type, a table that starts with the count, or one JSON document, so it holds the graph
 * before it prints; a registry answering with page after page of referrers is refused here, long
 * before the process runs out of memory. 8 MiB is some 25,000 referrers with a few annotations
 * (50,000 bare ones), which `--format json` prints within 200 MiB of memory.
 */
export const MAX_DISCOVER_BYTES = 8 * 1024 * 1024;

/** A store that lists referrers page by page (a registry repository). */
interface PagedReferrers {
  referrers(
    subject: Descriptor,
    options?: { readonly artifactType?: string },
  ): AsyncIterable<readonly Descriptor[]>;
}

function isPagedReferrers(target: object): target is PagedReferrers {
  return typeof (target as Partial<PagedReferrers>).referrers === 'function';
}

/**
 * Yields the referrers of `subject` page by page (one page for a store without pages), only those
 * of `artifactType` when given: a registry may ignore the filter.
 */
async function* referrerPages(
  target: ReadOnlyGraphStorage,
  subject: Descriptor,
  artifactType: string | undefined,
): AsyncGenerator<Descriptor[]> {
  if (!isPagedReferrers(target)) {
    yield await findReferrers(target, subject, { artifactType });
    return;
  }
  for await (const page of target.referrers(subject, artifactType ? { artifactType } : {})) {
    yield artifactType ? page.filter((r) => r.artifactType === artifactType) : [...page];
  }
}

/**
 * Walks the referrers of `root` down to `depth` levels (0: all, up to `maxDepth`), each node
 * once: a cycle of referrers (GHSA-298f-872v-2rcx) ends at the node seen before. The walk is a
 * loop over an explicit stack, so no depth overflows the call stack; a graph that goes on below
 * `maxDepth` (when `depth` does not stop it first) is refused, naming the limit. The referrers
 * kept may take `maxBytes` (as JSON) in all: past it, the walk stops with an error naming the
 * limit, without reading the pages after.
 */
export async function walkReferrers(
  target: ReadOnlyGraphStorage,
  root: Descriptor,
  depth: number,
  artifactType?: string,
  maxDepth = MAX_DISCOVER_DEPTH,
  maxBytes = MAX_DISCOVER_BYTES,
): Promise<Found[]> {
  const limit = depth > 0 ? Math.min(depth, maxDepth) : maxDepth;
  const visited = new Set<string>([root.digest]);
  let held = 0;
  const list = async (subject: Descriptor): Promise<Descriptor[]> => {
    const out: Descriptor[] = [];
    for await (const page of referrerPages(target, subject, artifactType)) {
      for (const desc of page) {
        held += JSON.stringify(desc).length;
        if (held > maxBytes) {
          throw new CliError(
            `referrers of ${root.digest}: more than ${maxBytes} bytes of referrers, the limit of discover: pass --depth or --artifact-type to show fewer`,
          );
        }
        out.push(desc);
      }
    }
    return out;
  };
  // whether `subject` has a referrer not seen yet (reads no further than the first)
  const goesOn = async (subject: Descriptor): Promise<boolean> => {
    for await (const page of referrerPages(target, subject, artifactType)) {
      if (page.some((r) => !visited.has(r.digest))) return true;
    }
    return false;
  };
  const top: Found[] = [];
  const frames: { items: Descriptor[]; next: number; into: Found[]; level: number }[] = [
    { items: await list(root), next: 0, into: top, level: 1 },
  ];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const desc = frame.items[frame.next++];
    if (desc === undefined) {
      frames.pop();
      continue;
    }
    if (visited.has(desc.digest)) continue;
    visited.add(desc.digest);
    const found: Found = { desc, referrers: [] };
    frame.into.push(found);
    const below = frame.level + 1;
    if (below > limit) {
      if (depth > 0 && depth <= maxDepth) continue;
      if (await goesOn(desc)) {
        throw new CliError(
          `referrers of ${root.digest}: nest deeper than ${maxDepth} levels, the limit of discover: pass --depth ${maxDepth} or less to show the levels above it`,
        );
      }
      continue;
    }
    frames.push({ items: await list(desc), next: 0, into: found.referrers, level: below });
  }
  return top;
}

/** The JSON model of the walk (built with an explicit stack, like the walk). */
function toModel(name: string, desc: Descriptor, found: Found[]): DiscoverModel {
  const top = { ...descriptorModel(name, desc), referrers: [] as DiscoverModel[] };
  const pending = [{ found, into: top.referrers }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const f of next.found) {
      const model = { ...descriptorModel(name, f.desc), referrers: [] as DiscoverModel[] };
      next.into.push(model);
      pending.push({ found: f.referrers, into: model.referrers });
    }
  }
  return top;
}

/**
 * The printed tree of the walk: referrers grouped by artifact type, their annotations first
 * (written as YAML, as oras writes them; none without `verbose`).
 */
function toTree(found: Found[], verbose: boolean): TreeNode[] {
  const top: TreeNode[] = [];
  const pending = [{ found, into: top }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const { desc, referrers } of next.found) {
      const type = desc.artifactType || '<unknown>';
      let group = next.into.find((g) => g.label === type);
      if (!group) {
        group = { label: type, children: [] };
        next.into.push(group);
      }
      const children: TreeNode[] = [];
      const annotations = annotationsNode(desc.annotations, verbose);
      if (annotations) children.push(annotations);
      group.children.push({ label: desc.digest, children });
      pending.push({ found: referrers, into: children });
    }
  }
  return top;
}

function countAll(found: Found[]): number {
  let count = 0;
  const pending = [found];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    count += next.length;
    for (const f of next) pending.push(f.referrers);
  }
  return count;
}

/**
 * The subject as oras describes it: a tag of an OCI layout resolves to its `index.json` entry,
 * which names the tag in `org.opencontainers.image.ref.name` (oras-go's layout store keeps it).
 */
function describedSubject(desc: Descriptor, options: DiscoverOptions): Descriptor {
  const { spec, reference } = options.target;
  if (spec.kind !== 'oci-layout' || options.platform || isDigest(reference)) return desc;
  return { ...desc, annotations: { ...desc.annotations, [Annotation.RefName]: reference } };
}

/** Runs `oras discover`. */
export async function runDiscover(options: DiscoverOptions, ctx: CliContext): Promise<void> {
  const { common, format, depth, platform, artifactType, verbose } = options;
  const { spec, reference, argument } = options.target;
  const { target, name } = await openReadOnlyTarget(options.target, common, ctx);
  let root: Descriptor;
  let found: Found[];
  try {
    root = await resolvePlatform(target, reference, platform);
    found = await walkReferrers(target, root, depth, artifactType || undefined);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras discover ${argument}`);
  }
  const subject = describedSubject(root, options);
  if (format.type === 'tree') {
    const tree = { label: `${name}@${root.digest}`, children: toTree(found, verbose) };
    found = [];
    renderTreeTo(tree, (text) => ctx.stdout.write(text));
    return;
  }
  if (format.type === 'table') {
    let width = 'Artifact Type'.length;
    for (const f of found) width = Math.max(width, printable(f.desc.artifactType || '<unknown>').length);
    width += 3;
    let text = `Discovered ${found.length} artifact(s) referencing ${reference}\nDigest: ${root.digest}\n`;
    if (found.length > 0) text += `\n${'Artifact Type'.padEnd(width)}Digest\n`;
    for (const f of found) {
      text += `${printable(f.desc.artifactType || '<unknown>').padEnd(width)}${f.desc.digest}\n`;
      if (text.length >= 64 * 1024) {
        ctx.stdout.write(text);
        text = '';
      }
    }
    ctx.stdout.write(text);
    return;
  }
  if (format.type === 'json') {
    writeJson(ctx, name, subject, found);
    return;
  }
  await writeResult(ctx, format, toModel(name, subject, found), () => `${countAll(found)}\n`);
}

/**
 * Writes the JSON model one top-level referrer at a time, exactly as `goJson` prints the whole
 * model, so the document is never one string in memory.
 */
function writeJson(ctx: CliContext, name: string, subject: Descriptor, found: Found[]): void {
  const empty = goJson(toModel(name, subject, []));
  if (found.length === 0) {
    ctx.stdout.write(`${empty}\n`);
    return;
  }
  const at = empty.lastIndexOf('[]');
  let text = `${empty.slice(0, at)}[`;
  found.forEach((f, i) => {
    const one = goJson(toModel(name, f.desc, f.referrers));
    text += `${i === 0 ? '' : ','}\n    ${one.replace(/\n/g, '\n    ')}`;
    if (text.length >= 64 * 1024) {
      ctx.stdout.write(text);
      text = '';
    }
  });
  ctx.stdout.write(`${text}\n  ]${empty.slice(at + 2)}\n`);
}
