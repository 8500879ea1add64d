/**
 * The one table of `oras` commands: name, aliases and one-line summary. The static top-level help
 * (printed without loading yargs) and the command tree both read it, so they cannot drift.
 *
 * A command's module is loaded only when a command line names it, never for `oras --help` or
 * `oras version`.
 */

/** One row of the command table. */
export interface CommandEntry {
  /** The command's name, as typed. */
  readonly name: string;
  /** Other names that run the same command. */
  readonly aliases: readonly string[];
  /** The one-line summary shown by `oras --help`. */
  readonly summary: string;
  /** Loads the command's yargs module (definition only; the implementation loads on run). */
  readonly load: () => Promise<{ readonly command: import('./commands/define.js').CommandFactory }>;
}

/** Every command of `oras`, sorted by name as `oras --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'attach',
    aliases: [],
    summary: '[Preview] Attach files to an existing artifact',
    load: () => import('./commands/attach/command.js'),
  },
  {
    name: 'backup',
    aliases: [],
    summary: '[Experimental] Back up artifacts from a registry into an OCI image layout',
    load: () => import('./commands/backup/command.js'),
  },
  {
    name: 'blob',
    aliases: [],
    summary: 'Blob operations',
    load: () => import('./commands/blob/command.js'),
  },
  {
    name: 'completion',
    aliases: [],
    summary: 'Generate the autocompletion script for the specified shell',
    load: () => import('./commands/completion/command.js'),
  },
  {
    name: 'cp',
    aliases: ['copy'],
    summary: 'Copy artifacts from one target to another',
    load: () => import('./commands/cp/command.js'),
  },
  {
    name: 'discover',
    aliases: [],
    summary: '[Preview] Discover referrers of a manifest in a registry or an OCI image layout',
    load: () => import('./commands/discover/command.js'),
  },
  {
    name: 'login',
    aliases: [],
    summary: 'Log in to a remote registry',
    load: () => import('./commands/login/command.js'),
  },
  {
    name: 'logout',
    aliases: [],
    summary: 'Log out from a remote registry',
    load: () => import('./commands/logout/command.js'),
  },
  {
    name: 'manifest',
    aliases: [],
    summary: 'Manifest operations',
    load: () => import('./commands/manifest/command.js'),
  },
  {
    name: 'pull',
    aliases: [],
    summary: 'Pull files from a registry or an OCI image layout',
    load: () => import('./commands/pull/command.js'),
  },
  {
    name: 'push',
    aliases: [],
    summary: 'Push files to a registry or an OCI image layout',
    load: () => import('./commands/push/command.js'),
  },
  {
    name: 'repo',
    aliases: ['repository'],
    summary: 'Repository operations',
    load: () => import('./commands/repo/command.js'),
  },
  {
    name: 'resolve',
    aliases: ['digest'],
    summary: '[Experimental] Resolves digest of the target artifact',
    load: () => import('./commands/resolve/command.js'),
  },
  {
    name: 'restore',
    aliases: [],
    summary: '[Experimental] Restore artifacts to a registry from an OCI image layout',
    load: () => import('./commands/restore/command.js'),
  },
  {
    name: 'tag',
    aliases: [],
    summary: 'Tag a manifest in a registry or an OCI image layout',
    load: () => import('./commands/tag/command.js'),
  },
  {
    name: 'version',
    aliases: [],
    summary: 'Show the oras version information',
    load: () => import('./commands/version/command.js'),
  },
];

/** The table row for a name or alias, if any. */
export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases.includes(name));
}

/** The summary of a command, for its yargs `describe`. Throws for a name not in the table. */
export function summaryOf(name: string): string {
  const entry = findCommand(name);
  if (!entry) throw new Error(`command table: no entry for ${name}`);
  return entry.summary;
}
