/** The implementation of `oras discover`: the referrer graph, walked with a visited set. */
import { type ReadOnlyGraphStorage, referrers } from '@oras/content';
import type { Descriptor } from '@oras/spec';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { resolvePlatform } from '../graph.js';
import { parseCommon } from '../options/common.js';
import { parseFormat } from '../options/format.js';
import { parseTarget, referrersCapability } from '../options/target.js';
import { type DiscoverModel, descriptorModel, writeResult } from '../output/metadata.js';
import { renderTree, type TreeNode } from '../output/tree.js';
import { openReadOnlyTarget } from '../targets.js';
import { DISCOVER_FORMATS } from './discover.js';
import { stringArg } from './flags.js';
import { platformArg, requireReference, withDockerHubHint } from './run-support.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** A referrer found under a subject. */
interface Found {
  readonly desc: Descriptor;
  readonly referrers: Found[];
}

/**
 * Walks the referrers of `root` down to `depth` levels (0: all), each node once: a cycle of
 * referrers (GHSA-298f-872v-2rcx) ends at the node seen before.
 */
export async function walkReferrers(
  target: ReadOnlyGraphStorage,
  root: Descriptor,
  depth: number,
  artifactType?: string,
): Promise<Found[]> {
  const visited = new Set<string>([root.digest]);
  const walk = async (subject: Descriptor, level: number): Promise<Found[]> => {
    if (depth > 0 && level > depth) return [];
    const out: Found[] = [];
    for (const desc of await referrers(target, subject, { artifactType })) {
      if (visited.has(desc.digest)) continue;
      visited.add(desc.digest);
      out.push({ desc, referrers: await walk(desc, level + 1) });
    }
    return out;
  };
  return walk(root, 1);
}

function toModel(name: string, desc: Descriptor, referrers: Found[]): DiscoverModel {
  return {
    ...descriptorModel(name, desc),
    referrers: referrers.map((r) => toModel(name, r.desc, r.referrers)),
  };
}

function toTree(found: Found[]): TreeNode[] {
  const groups: TreeNode[] = [];
  for (const { desc, referrers } of found) {
    const type = desc.artifactType || '<unknown>';
    let group = groups.find((g) => g.label === type);
    if (!group) {
      group = { label: type, children: [] };
      groups.push(group);
    }
    const children: TreeNode[] = [];
    const annotations = Object.entries(desc.annotations ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (annotations.length > 0) {
      children.push({
        label: '[annotations]',
        children: annotations.map(([k, v]) => ({ label: `${k}: ${v}`, children: [] })),
      });
    }
    children.push(...toTree(referrers));
    group.children.push({ label: desc.digest, children });
  }
  return groups;
}

function countAll(found: Found[]): number {
  return found.reduce((n, f) => n + 1 + countAll(f.referrers), 0);
}

/** Runs `oras discover`. */
export async function runDiscover(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const legacyOutput = stringArg(argv, 'output');
  if (legacyOutput !== undefined) {
    ctx.stderr.write('Flag --output has been deprecated, use --format instead\n');
    if (argv.format === undefined) argv.format = legacyOutput;
  }
  const format = parseFormat(argv, DISCOVER_FORMATS, 'tree');
  if (format.type === 'table') {
    ctx.stderr.write('Format "table" is deprecated and will be removed in a future release.\n');
  }
  const depthArg = argv.depth === undefined ? 0 : Number(argv.depth);
  if (!Number.isInteger(depthArg) || depthArg < 0)
    throw new CliError(`invalid --depth ${String(argv.depth)}: use 0 or more`);
  const depth = format.type === 'table' ? 1 : depthArg;
  const spec = parseTarget(String(argv.name), argv, { form: FORM });
  const reference = requireReference(spec, FORM);
  const platform = platformArg(argv);
  const artifactType = stringArg(argv, 'artifact-type');
  const { target, name } = await openReadOnlyTarget(spec, argv, common, ctx, {
    referrersCapability: referrersCapability(argv),
  });
  let root: Descriptor;
  let found: Found[];
  try {
    root = await resolvePlatform(target, reference, platform);
    found = await walkReferrers(target, root, depth, artifactType || undefined);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras discover ${String(argv.name)}`);
  }
  const model = toModel(name, root, found);
  if (format.type === 'tree') {
    ctx.stdout.write(renderTree({ label: `${name}@${root.digest}`, children: toTree(found) }));
    return;
  }
  if (format.type === 'table') {
    const rows = found.map((f) => [f.desc.artifactType || '<unknown>', f.desc.digest] as const);
    const width = Math.max('Artifact Type'.length, ...rows.map(([t]) => t.length)) + 3;
    let text = `Discovered ${found.length} artifact(s) referencing ${reference}\nDigest: ${root.digest}\n`;
    if (rows.length > 0) {
      text += `\n${'Artifact Type'.padEnd(width)}Digest\n`;
      for (const [t, d] of rows) text += `${t.padEnd(width)}${d}\n`;
    }
    ctx.stdout.write(text);
    return;
  }
  writeResult(ctx, format, model, () => `${countAll(found)}\n`);
}
