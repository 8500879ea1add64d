/**
 * Secret hunting: every form a secret could leak in (raw, base64 inside a Basic header, URL
 * encoded), searched in every output of a run and in every file of a folder tree.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TreeSnapshot } from './tree.js';

/** A secret and the forms it may take on the wire or on disk. */
export interface Secret {
  /** What it is, for the report ("password", "bearer token"). */
  readonly name: string;
  /** The strings that must not appear. */
  readonly forms: readonly string[];
}

/** A secret's raw, URL-encoded and base64 forms (base64 at every alignment is too much: raw base64). */
export function secret(name: string, value: string): Secret {
  const forms = new Set([value, encodeURIComponent(value), Buffer.from(value).toString('base64')]);
  return { name, forms: [...forms].filter((form) => form.length >= 6) };
}

/** The Basic credential `user:password` as a header value carries it. */
export function basicSecret(user: string, password: string): Secret {
  const pair = `${user}:${password}`;
  return { name: `basic credential of ${user}`, forms: [Buffer.from(pair).toString('base64'), pair] };
}

/** Where each secret was found in named texts: `"<secret> in <where>"`. */
export function leaksInTexts(secrets: readonly Secret[], texts: Readonly<Record<string, string>>): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const s of secrets) {
      if (s.forms.some((form) => text.includes(form))) leaks.push(`${s.name} in ${where}`);
    }
  }
  return leaks;
}

/**
 * Where each secret was found among the files of a snapshot of `root`, skipping the paths
 * `allowed` accepts (the credential store, the files the test itself wrote the secret into).
 */
export async function leaksInFiles(
  secrets: readonly Secret[],
  root: string,
  tree: TreeSnapshot,
  allowed: (path: string) => boolean = () => false,
): Promise<string[]> {
  const leaks: string[] = [];
  for (const [path, entry] of tree) {
    if (entry.type !== 'file' || allowed(path)) continue;
    const text = (await readFile(join(root, path))).toString('latin1');
    for (const s of secrets) {
      if (s.forms.some((form) => text.includes(form))) leaks.push(`${s.name} in file ${path}`);
    }
  }
  return leaks;
}
