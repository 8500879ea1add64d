/**
 * Shell completion scripts. They complete command names from the command table and, after a
 * command, its flags, which they ask `oras __complete <command>` for.
 */
import { COMMANDS } from '../../command-table.js';
import { CliError } from '../../errors.js';

function names(): string {
  return [...COMMANDS.flatMap((c) => [c.name, ...c.aliases]), 'help'].sort().join(' ');
}

/** The completion script for a shell. */
export function completionScript(shell: string): string {
  const commands = names();
  switch (shell) {
    case 'bash':
      return `# bash completion for oras
_oras() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${commands}" -- "$cur") )
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$(oras __complete "\${COMP_WORDS[1]}" 2>/dev/null)" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o default -F _oras oras
`;
    case 'zsh':
      return `#compdef oras
_oras() {
  if (( CURRENT == 2 )); then
    compadd -- ${commands}
  elif [[ "$PREFIX" == -* ]]; then
    compadd -- $(oras __complete "$words[2]" 2>/dev/null)
  else
    _files
  fi
}
compdef _oras oras
`;
    case 'fish':
      return `# fish completion for oras
complete -c oras -f -n '__fish_use_subcommand' -a '${commands}'
complete -c oras -n 'not __fish_use_subcommand' -a '(oras __complete (commandline -opc)[2] 2>/dev/null)'
`;
    case 'powershell':
      return `# powershell completion for oras
Register-ArgumentCompleter -Native -CommandName oras -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = $commandAst.CommandElements | ForEach-Object { $_.ToString() }
  if ($words.Count -le 2 -and -not $wordToComplete.StartsWith('-')) {
    '${commands}'.Split(' ') | Where-Object { $_ -like "$wordToComplete*" }
  } else {
    (oras __complete $words[1] 2>$null) -split ' ' | Where-Object { $_ -like "$wordToComplete*" }
  }
}
`;
    default:
      throw new CliError(`unsupported shell "${shell}"`, { hint: 'use bash, zsh, fish or powershell' });
  }
}
