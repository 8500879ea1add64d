/**
 * `oras completion <shell>`: print a shell completion script. As cobra's completion command in
 * oras, each shell is a sub-command with `--no-descriptions` (accepted; our scripts complete
 * names only, so they have no descriptions to leave out).
 */
import type { CommandModule } from 'yargs';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { flagSet } from '../../options/flag-set.js';
import { type CommandFactory, unknownSubcommand } from '../define.js';
import { type Shell, SHELLS } from './shells.js';

export { SHELLS } from './shells.js';

const FLAGS = flagSet({
  'no-descriptions': { type: 'boolean', describe: 'disable completion descriptions' },
});

/** How to load each shell's script, in the help of its sub-command. */
const LOADING: Readonly<Record<Shell, string>> = {
  bash: `Generate the autocompletion script for the bash shell.

To load completions in your current shell session:

\tsource <(oras completion bash)

To load completions for every new session, execute once:

\toras completion bash > /etc/bash_completion.d/oras

You will need to start a new shell for this setting to take effect.`,
  fish: `Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

\toras completion fish | source

To load completions for every new session, execute once:

\toras completion fish > ~/.config/fish/completions/oras.fish

You will need to start a new shell for this setting to take effect.`,
  powershell: `Generate the autocompletion script for powershell.

To load completions in your current shell session:

\toras completion powershell | Out-String | Invoke-Expression

To load completions for every new session, add the output of the above command
to your powershell profile.`,
  zsh: `Generate the autocompletion script for the zsh shell.

If shell completion is not already enabled in your environment you will need
to enable it.  You can execute the following once:

\techo "autoload -U compinit; compinit" >> ~/.zshrc

To load completions in your current shell session:

\tsource <(oras completion zsh)

To load completions for every new session, execute once:

\toras completion zsh > "\${fpath[1]}/_oras"

You will need to start a new shell for this setting to take effect.`,
};

/** The sub-command that prints one shell's script. */
function shellCommand(shell: Shell, ctx: CliContext): CommandModule {
  return {
    command: shell,
    describe: `Generate the autocompletion script for ${shell}`,
    builder: (y) => y.usage(`oras completion ${shell} [flags]\n\n${LOADING[shell]}`).options(FLAGS.flags()),
    handler: async () => {
      const { completionScript } = await import('./run.js');
      ctx.stdout.write(completionScript(shell));
    },
  };
}

/** The definition of `oras completion` and its sub-commands. */
export const command: CommandFactory = (ctx) => ({
  command: 'completion [command]',
  describe: summaryOf('completion'),
  builder: (y) => {
    let out = y.usage(
      'oras completion [command]\n\n' +
        'Generate the autocompletion script for oras for the specified shell.\n' +
        "See each sub-command's help for details on how to use the generated script.",
    );
    for (const shell of SHELLS) out = out.command(shellCommand(shell, ctx));
    return out;
  },
  handler: (argv) => unknownSubcommand('oras completion', argv, SHELLS.join(', ')),
});
