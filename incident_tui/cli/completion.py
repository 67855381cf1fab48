"""Tab completion: `completion bash|zsh` prints a script made from the parser itself
(commands, their options, the values a choice takes), and the script asks
`completion --keys` for the incident keys where a KEY goes."""

from __future__ import annotations

import argparse
import shlex

from incident_tui.cli.command import PROG, arg, command

SHELLS = ("bash", "zsh", "fish")
FUNCTION = "_incident_tui"

_FILE_METAVARS = {"FILE", "DIR", "PATH_OR_URL", "FILE|-"}


def _vocabulary(command: str, name: str) -> tuple[str, ...] | None:
    """The words a positional (by metavar) or an option (by name) takes, where the
    domain checks them rather than argparse."""
    from incident_tui.domain import vocabulary as v

    words: dict[str, tuple[object, ...]] = {
        "PHASE": v.PHASES,
        "ROLE": v.CORE_ROLES,
        "AUDIENCE": v.AUDIENCES,
        "--kind": tuple(k for k in v.ENTRY_KINDS if k not in v.SYSTEM_KINDS),
        "--priority": v.PRIORITIES,
        "--type": v.ACTION_TYPES,
        "--status": v.ACTION_STATUSES,
        "--severity": v.SEVERITIES,
        "-s": v.SEVERITIES,
    }
    if command == "severity" and name == "N":
        return tuple(map(str, v.SEVERITIES))
    if command == "milestone" and name == "NAME":
        return tuple(m.removesuffix("_at") for m in v.MILESTONES)
    found = words.get(name)
    return tuple(map(str, found)) if found else None


def _asked(command: str, name: str) -> str | None:
    """A slot whose words the script asks the program for when Tab is pressed: the
    services the database knows, the incident types the config gives."""
    if name in ("--service", "--remove-service"):
        return "service"
    if name == "--type" and command in ("declare", "context"):
        return "type"
    return None


def slots(
    command: str, parser: argparse.ArgumentParser
) -> tuple[list[str], dict[str, str], list[str]]:
    """A subcommand's positionals (one slot each), its options that take a value (option →
    slot), and all its option strings."""
    positionals: list[str] = []
    valued: dict[str, str] = {}
    options: list[str] = []
    for action in parser._actions:  # argparse has no public list of its arguments
        if isinstance(action, argparse._HelpAction):
            options.extend(action.option_strings)
            continue
        metavar = str(action.metavar or "")
        asked = _asked(command, action.option_strings[0] if action.option_strings else metavar)
        choices = (
            tuple(map(str, action.choices))
            if action.choices
            else _vocabulary(
                command, action.option_strings[0] if action.option_strings else metavar
            )
        )
        if metavar == "KEY":
            slot = "key"
        elif asked:
            slot = asked
        elif choices:
            slot = "choice:" + " ".join(choices)
        elif metavar in _FILE_METAVARS:
            slot = "file"
        else:
            slot = "free"
        if action.option_strings:
            options.extend(action.option_strings)
            if action.nargs != 0:
                for option in action.option_strings:
                    valued[option] = slot
        elif action.nargs not in ("*", "+", "...", argparse.REMAINDER):
            positionals.append(slot)
        else:
            positionals.append(slot + "*")  # this slot and every one after it
    return positionals, valued, options


def bash_script(parser: argparse.ArgumentParser) -> str:
    """A bash completion function for `parser` (zsh runs it through bashcompinit)."""
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cases: list[str] = []
    takes_value: set[str] = {"--db", "--config", "--as"}
    for name, sub in subparsers.choices.items():
        positionals, valued, options = slots(name, sub)
        takes_value |= set(valued)
        values = " ".join(f"{shlex.quote(o)}) slot={shlex.quote(s)} ;;" for o, s in valued.items())
        cases.append(
            f"        {name})\n"
            f"            options={shlex.quote(' '.join(options))}\n"
            f"            positionals=({' '.join(shlex.quote(p) for p in positionals)})\n"
            f'            case "$prev" in {values} esac ;;'
        )
    commands = " ".join(subparsers.choices)
    return _BASH.format(
        prog=PROG,
        function=FUNCTION,
        commands=commands,
        cases="\n".join(cases),
        valued="|".join(sorted(takes_value)),
    )


_BASH = r"""# {prog} completion for bash: eval "$({prog} completion bash)"
{function}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local command="" db=() options="" slot="" positionals=() index=0 i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        case "$word" in
            {valued}) ((i++)); [[ $word == --db ]] && db=(--db "${{COMP_WORDS[i]}}") ;;
            --db=*) db=(--db "${{word#--db=}}") ;;
            --) break ;;
            -*) ;;
            *) if [[ -z $command ]]; then command="$word"; else ((index++)); fi ;;
        esac
    done
    if [[ -z $command ]]; then
        case "$prev" in --db|--config) slot=file ;; --as) return 0 ;; esac
        if [[ -z $slot ]]; then
            COMPREPLY=($(compgen -W "{commands} --db --config --as --help --version" -- "$cur"))
            return 0
        fi
    fi
    case "$command" in
{cases}
    esac
    if [[ -z $slot && $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return 0
    fi
    if [[ -z $slot ]]; then
        case "$prev" in --db|--config) slot=file ;; --as) return 0 ;; esac
    fi
    if [[ -z $slot ]]; then
        if ((index < ${{#positionals[@]}})); then
            slot="${{positionals[index]}}"
        elif ((${{#positionals[@]}})) && [[ ${{positionals[-1]}} == *"*" ]]; then
            slot="${{positionals[-1]}}"
        fi
        slot="${{slot%\*}}"
    fi
    case "$slot" in
        key|service)
            COMPREPLY=($(compgen -W "$({prog} "${{db[@]}}" completion --"$slot"s)" -- "$cur")) ;;
        type) COMPREPLY=($(compgen -W "$({prog} completion --types)" -- "$cur")) ;;
        file) COMPREPLY=($(compgen -f -- "$cur")) ;;
        choice:*) COMPREPLY=($(compgen -W "${{slot#choice:}}" -- "$cur")) ;;
    esac
    return 0
}}
complete -o default -F {function} {prog}
"""

_ZSH = """# {prog} completion for zsh: eval "$({prog} completion zsh)"
autoload -U +X bashcompinit && bashcompinit
{bash}"""


@command(
    "completion",
    "print the shell's tab-completion script (bash, zsh, fish), or the words it offers",
    arg("shell", metavar="SHELL", nargs="?", choices=SHELLS),
    arg("--keys", action="store_true", help="the incident keys, open ones first"),
    arg("--services", action="store_true", help="the services incidents name, by name"),
    arg("--types", action="store_true", help="the incident types the config gives"),
    context=False,
    usage=(f"{PROG} completion {{bash,zsh,fish}} | {PROG} completion --keys|--services|--types"),
)
def completion(args: argparse.Namespace) -> int:
    if args.keys or args.services:
        from incident_tui.store.key_list import incident_keys, service_names

        words = incident_keys if args.keys else service_names
        for word in words(getattr(args, "db", None)):
            print(word)
        return 0
    if args.types:
        from incident_tui.config import load_config
        from incident_tui.domain.errors import IncidentError

        try:
            types = load_config(getattr(args, "config", None)).types
        except IncidentError:
            return 0  # a broken config offers nothing; the command itself will say why
        for name in types:
            print(name)
        return 0
    if args.shell is None:
        from incident_tui.domain.errors import IncidentError

        raise IncidentError(f'name a shell ({", ".join(SHELLS)}): eval "$({PROG} completion bash)"')
    from incident_tui.cli.parser import build_parser

    parser = build_parser()
    if args.shell == "fish":
        from incident_tui.cli.fish_completion import fish_script

        print(fish_script(parser, slots), end="")
        return 0
    script = bash_script(parser)
    print(script if args.shell == "bash" else _ZSH.format(prog=PROG, bash=script), end="")
    return 0
