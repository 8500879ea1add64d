/** `oras completion`: print a shell completion script. */
import { summaryOf } from '../../command-table.js';
import { flagSet } from '../../options/flag-set.js';
import { type CommandFactory, withExamples, withPositionals } from '../define.js';

import { SHELLS } from './shells.js';

export { SHELLS } from './shells.js';

const ARGS = flagSet({ shell: { type: 'string', choices: SHELLS, describe: 'the shell' } });

/** The definition of `oras completion`. */
export const command: CommandFactory = (ctx) => ({
  command: 'completion <shell>',
  describe: summaryOf('completion'),
  builder: (y) =>
    withExamples(
      withPositionals(y, ARGS).usage(
        'oras completion <shell>\n\nGenerate the autocompletion script for the specified shell.',
      ),
      [
        ['source <(oras completion bash)', 'Load completions in the current bash session'],
        ['oras completion zsh > ~/.zfunc/_oras', 'Install completions for zsh (with ~/.zfunc in fpath)'],
        ['oras completion fish > ~/.config/fish/completions/oras.fish', 'Install completions for fish'],
      ],
    ),
  handler: async (argv) => {
    const { shell } = ARGS.read(argv);
    const { completionScript } = await import('./run.js');
    ctx.stdout.write(completionScript(String(shell)));
  },
});
