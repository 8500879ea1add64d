/**
 * Shell completion scripts. Each asks `oras __complete` with the words typed so far, so nested
 * commands (`oras manifest fe<TAB>`) and their flags (`oras manifest fetch --pre<TAB>`) complete
 * from the same command tree the CLI runs; where it answers nothing, file names complete.
 */
import { CliError } from '../../errors.js';

/** The completion script for a shell. */
export function completionScript(shell: string): string {
  switch (shell) {
    case 'bash':
      return `# bash completion for oras
_oras() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  COMPREPLY=( $(oras __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F _oras oras
`;
    case 'zsh':
      return `#compdef oras
_oras() {
  local -a candidates
  candidates=("\${(@f)$(oras __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ -n "\${candidates[1]}" ]]; then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
# sourced: register the function; autoloaded from $fpath as _oras: this is its first call
if [[ "\${funcstack[1]}" == "_oras" ]]; then
  _oras "$@"
else
  compdef _oras oras
fi
`;
    case 'fish':
      return `# fish completion for oras
function __oras_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l candidates (oras __complete $words (commandline -ct) 2>/dev/null)
    if test (count $candidates) -gt 0
        printf '%s\\n' $candidates
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c oras -f -a '(__oras_complete)'
`;
    case 'powershell':
      return `# powershell completion for oras
Register-ArgumentCompleter -Native -CommandName oras -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
  if ($wordToComplete -eq '') { $words += '' }
  (oras __complete @words 2>$null) | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
    default:
      throw new CliError(`unsupported shell "${shell}"`, { hint: 'use bash, zsh, fish or powershell' });
  }
}
