/**
 * A credential helper executable for tests: `docker-credential-test`, a Node script that keeps its
 * credentials in a JSON file next to it and implements get, store, erase and list.
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const SCRIPT = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const db = path.join(__dirname, 'db.json');
const load = () => (fs.existsSync(db) ? JSON.parse(fs.readFileSync(db, 'utf8')) : {});
const save = (d) => fs.writeFileSync(db, JSON.stringify(d));
const input = fs.readFileSync(0, 'utf8');
const action = process.argv[2];
fs.appendFileSync(path.join(__dirname, 'calls.log'), action + '\\n');
const d = load();
if (action === 'get') {
  const server = input.trim();
  if (!d[server]) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
  process.stdout.write(JSON.stringify({ ServerURL: server, Username: d[server].Username, Secret: d[server].Secret }));
} else if (action === 'store') {
  const c = JSON.parse(input);
  if (c.Username === 'fail') { process.stdout.write('store refused\\n'); process.exit(1); }
  d[c.ServerURL] = { Username: c.Username, Secret: c.Secret };
  save(d);
} else if (action === 'erase') {
  const server = input.trim();
  if (!d[server]) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
  delete d[server];
  save(d);
} else if (action === 'list') {
  const out = {};
  for (const [k, v] of Object.entries(d)) out[k] = v.Username;
  process.stdout.write(JSON.stringify(out));
} else {
  process.stdout.write('unknown action\\n');
  process.exit(1);
}
`;

/** A temp directory holding `docker-credential-test`, and an environment that finds it. */
export interface TestHelper {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** The helper's stored credentials, as it keeps them. */
  db(): Promise<Record<string, { Username: string; Secret: string }>>;
  /** The actions the helper was run with, in order. */
  calls(): Promise<string[]>;
}

/** Writes the helper into a new temp directory. */
export async function installTestHelper(): Promise<TestHelper> {
  const dir = await mkdtemp(join(tmpdir(), 'oras-auth-helper-'));
  const file = join(dir, 'docker-credential-test');
  await writeFile(file, SCRIPT);
  await chmod(file, 0o755);
  const read = async (name: string) => readFile(join(dir, name), 'utf8').catch(() => '');
  return {
    dir,
    env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` },
    db: async () =>
      JSON.parse((await read('db.json')) || '{}') as Record<string, { Username: string; Secret: string }>,
    calls: async () => (await read('calls.log')).split('\n').filter(Boolean),
  };
}
