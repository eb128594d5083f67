import { Argument, type Command } from 'commander'
import { SCENARIOS } from '../../examples/scenarios.js'
import type { CliContext } from './context.js'

/** Values a completion offers after an option that takes one. */
const OPTION_VALUES: Record<string, readonly string[]> = { '--codec': ['msgpack', 'json', 'raw'] }

interface CommandWords {
  name: string
  summary: string
  /** Long options, then the values of its first argument where they are a known list. */
  words: string[]
}

/** What to complete, read from the program itself so that it never falls behind it. */
function commandWords(program: Command): CommandWords[] {
  return program.commands.map((command) => {
    const options = command.options.map((o) => o.long).filter((l): l is string => l !== undefined)
    const values =
      command.name() === 'demo'
        ? SCENARIOS.map((s) => s.name)
        : command.name() === 'completion'
          ? ['bash', 'zsh']
          : []
    return { name: command.name(), summary: command.description(), words: [...values, ...options, '--help'] }
  })
}

function bashScript(commands: CommandWords[]): string {
  const cases = commands.map((c) => `    ${c.name}) words="${c.words.join(' ')}" ;;`).join('\n')
  const values = Object.entries(OPTION_VALUES)
    .map(
      ([option, list]) => `    ${option}) COMPREPLY=($(compgen -W "${list.join(' ')}" -- "$cur")); return ;;`,
    )
    .join('\n')
  return `# switchboard completion for bash. Load it in this shell with
#   source <(switchboard completion bash)
# or for every shell: switchboard completion bash > /etc/bash_completion.d/switchboard
_switchboard() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" words
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "$prev" in
${values}
  esac
  case "\${COMP_WORDS[1]}" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _switchboard switchboard
`
}

function zshScript(commands: CommandWords[]): string {
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`
  const described = commands.map((c) => `    ${quote(`${c.name}:${c.summary}`)}`).join('\n')
  const cases = commands.map((c) => `    ${c.name}) compadd -- ${c.words.join(' ')} ;;`).join('\n')
  const values = Object.entries(OPTION_VALUES)
    .map(([option, list]) => `    ${option}) compadd -- ${list.join(' ')}; return ;;`)
    .join('\n')
  return `#compdef switchboard
# switchboard completion for zsh. Load it in this shell with
#   source <(switchboard completion zsh)
# or save it as _switchboard in a directory of $fpath (before compinit runs).
_switchboard() {
  local -a commands
  commands=(
${described}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[CURRENT-1]}" in
${values}
  esac
  case "\${words[2]}" in
${cases}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _switchboard "$@"; else compdef _switchboard switchboard; fi
`
}

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script for bash or zsh')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard completion bash > /etc/bash_completion.d/switchboard
  $ source <(switchboard completion zsh)      # in ~/.zshrc, after compinit`,
    )
    .action((shell: string) => {
      const commands = commandWords(program)
      ctx.stdout.write(shell === 'zsh' ? zshScript(commands) : bashScript(commands))
    })
}
