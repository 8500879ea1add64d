import { describe, expect, it } from 'vitest';
import { COMMANDS } from './command-table.js';
import { runCli } from './cli.js';
import { buildCli, usageMessage } from './yargs-run.js';
import { main } from './main.js';
import { renderRootHelp } from './root-help.js';
import { captureContext } from './test-support/capture.js';
import { cliVersion } from './version-info.js';

describe('oras (top level)', () => {
  it('prints the top-level help for no arguments, --help, -h and help', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const ctx = captureContext();
      expect(await main(argv, ctx)).toBe(0);
      expect(ctx.out()).toBe(renderRootHelp());
      expect(ctx.out()).toContain('Usage:\n  oras [command]');
    }
  });

  it('lists every command of the table, and yargs knows exactly those commands', async () => {
    const help = renderRootHelp();
    for (const c of COMMANDS)
      expect(help).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[[\]]/g, '\\$&')}$`, 'm'));
    const parser = await buildCli([], captureContext());
    const registered = (
      parser as unknown as { getInternalMethods(): { getCommandInstance(): { getCommands(): string[] } } }
    )
      .getInternalMethods()
      .getCommandInstance()
      .getCommands();
    expect([...registered].sort()).toEqual(COMMANDS.flatMap((c) => [c.name, ...c.aliases]).sort());
  });

  it('prints the version without loading yargs', async () => {
    const ctx = captureContext();
    expect(await main(['version'], ctx)).toBe(0);
    expect(ctx.out()).toMatch(
      new RegExp(`^Version: +${cliVersion().replace(/\./g, '\\.')}\nNode.js version: +v\\d+`),
    );
    expect(ctx.out()).toContain(`OS/Arch:         ${process.platform}/${process.arch}`);
  });

  it('prints a command help with its flags and examples', async () => {
    const ctx = captureContext();
    expect(await main(['push', '--help'], ctx)).toBe(0);
    expect(ctx.out()).toContain('oras push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]');
    expect(ctx.out()).toContain('--artifact-type');
    expect(ctx.out()).toContain('Example - Push a file and tag it v1, v2 and latest:');
    const viaHelp = captureContext();
    expect(await main(['help', 'push'], viaHelp)).toBe(0);
    expect(viaHelp.out()).toBe(ctx.out());
  });

  it('fails with one Error line and exit code 1 on bad usage', async () => {
    const unknown = captureContext();
    expect(await runCli(['frobnicate'], unknown)).toBe(1);
    expect(unknown.err()).toBe(
      'Error: unknown command "frobnicate" for "oras"\nRun \'oras --help\' for usage.\n',
    );
    const missing = captureContext();
    expect(await runCli(['pull'], missing)).toBe(1);
    expect(missing.err()).toBe(
      [
        'Error: "oras pull" requires exactly 1 argument but got 0',
        'Usage: oras pull [flags] <name>{:<tag>|@<digest>}',
        'Please specify exactly 1 argument as the artifact reference you want to pull. Run "oras pull -h" for more options and examples',
        '',
      ].join('\n'),
    );
    const flag = captureContext();
    expect(await runCli(['pull', 'localhost:5000/a:b', '--nope'], flag)).toBe(1);
    expect(flag.err()).toBe('Error: unknown flag: --nope\n');
  });

  it('hints the expected reference form, and shows the stack only with --debug', async () => {
    const ctx = captureContext();
    expect(await runCli(['resolve', 'not a reference'], ctx)).toBe(1);
    const lines = ctx.err().trimEnd().split('\n');
    expect(lines[0]).toBe('Error: "not a reference": invalid reference: missing registry or repository');
    expect(lines[1]).toBe(
      'Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]',
    );
    expect(lines).toHaveLength(2);
    const debug = captureContext();
    expect(await runCli(['resolve', 'not a reference', '--debug'], debug)).toBe(1);
    expect(debug.err()).toMatch(/\n {4}at /);
    expect(debug.err()).toContain('caused by: InvalidReferenceError');
  });

  it('words yargs messages the way oras does', () => {
    expect(usageMessage('Unknown arguments: x, yy')).toBe('unknown flag: -x, --yy');
    expect(usageMessage('Missing required argument: artifact-type')).toBe(
      'required flag(s) "artifact-type" not set',
    );
    expect(usageMessage('Too many non-option arguments: got 3, maximum of 1')).toBe(
      'accepts at most 1 arg(s), received 3',
    );
  });

  it('lists the flags of a command for shell completion, and prints completion scripts', async () => {
    const ctx = captureContext();
    expect(await runCli(['__complete', 'pull', '-'], ctx)).toBe(0);
    const flags = ctx.out().trim().split('\n');
    expect(flags).toEqual(
      expect.arrayContaining(['--output', '-o', '--keep-old-files', '--plain-http', '--help']),
    );
    expect(flags).not.toContain('--name');
    for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
      const c = captureContext();
      expect(await main(['completion', shell], c)).toBe(0);
      expect(c.out()).toContain('oras __complete');
    }
  });
});

describe('help of every command', () => {
  it('has a usage line, flags and at least one example', async () => {
    const workflow = [
      'attach',
      'completion',
      'cp',
      'discover',
      'login',
      'logout',
      'pull',
      'push',
      'resolve',
      'tag',
      'version',
    ];
    for (const c of COMMANDS.filter((x) => workflow.includes(x.name))) {
      const ctx = captureContext();
      expect(await main([c.name, '--help'], ctx)).toBe(0);
      expect(ctx.out()).toContain(`oras ${c.name}`);
      expect(ctx.out()).toContain('\nUsage:\n  oras ');
      expect(ctx.out()).toContain('\nFlags:\n');
      expect(ctx.out()).toContain(`  -h, --help `);
      expect(ctx.out()).not.toMatch(/\[(string|boolean|array|number)\]|^Positionals:|^Options:/m);
      // oras's version and completion (cobra's) have no examples
      if (c.name !== 'version' && c.name !== 'completion') expect(ctx.out()).toContain('Example - ');
    }
  });
});
