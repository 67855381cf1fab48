"""Tab completion for fish: `completion fish` prints `complete` lines made from the parser
(the same slots as bash's script: `completion.slots`), and one function that works out
which positional the word being typed fills, and offers what that slot takes."""

from __future__ import annotations

import argparse
import shlex

from incident_tui.cli.command import PROG

FUNCTION = "__incident_tui"
GLOBAL_VALUED = ("--db", "--config", "--as")


def _quote(text: str) -> str:
    return shlex.quote(text)


def _option_flags(option: str) -> str:
    """fish's flag for an option string: `-l name` for `--name`, `-s x` for `-x`."""
    return f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"


def _values(slot: str) -> str:
    """The `complete` arguments offering what a slot takes."""
    if slot == "file":
        return "-r -F"
    if slot == "free":
        return "-x"
    return f"-x -k -a {_quote(f'({FUNCTION}_offer {slot})')}"


def fish_script(parser: argparse.ArgumentParser, slots) -> str:
    """The fish completion script for `parser`; `slots(command, subparser)` gives a
    subcommand's positionals, valued options (option → slot) and option strings."""
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in subparsers._choices_actions}
    lines: list[str] = []
    cases: list[str] = []
    valued: set[str] = set(GLOBAL_VALUED)
    top = f"{FUNCTION}_command_is ''"
    for option, slot in (("--db", "file"), ("--config", "file"), ("--as", "free")):
        lines.append(f"complete -c {PROG} -n {_quote(top)} {_option_flags(option)} {_values(slot)}")
    for flag in ("--help", "--version"):
        lines.append(f"complete -c {PROG} -n {_quote(top)} {_option_flags(flag)}")
    for name, sub in subparsers.choices.items():
        described = f"-a {_quote(name)} -d {_quote(helps.get(name, ''))}"
        lines.append(f"complete -c {PROG} -n {_quote(top)} {described}")
        positionals, options_valued, options = slots(name, sub)
        valued |= set(options_valued)
        condition = _quote(f"{FUNCTION}_command_is {name}")
        for action in sub._actions:
            strings = [s for s in action.option_strings if s in options]
            if not strings:
                continue
            flags = " ".join(_option_flags(s) for s in strings)
            slot = options_valued.get(strings[0])
            takes = f" {_values(slot)}" if slot else ""
            help_text = f" -d {_quote(str(action.help))}" if action.help else ""
            lines.append(f"complete -c {PROG} -n {condition} {flags}{takes}{help_text}")
        lines.append(
            f"complete -c {PROG} -n {condition} -k -a {_quote(f'({FUNCTION}_positional)')}"
        )
        cases.append(
            f"        case {_quote(name)}\n"
            f"            set positionals {' '.join(_quote(p) for p in positionals)}"
        )
    return _FISH.format(
        prog=PROG,
        function=FUNCTION,
        valued=" ".join(_quote(v) for v in sorted(valued)),
        cases="\n".join(cases),
        lines="\n".join(lines),
    )


_FISH = r"""# {prog} completion for fish: {prog} completion fish | source
# (or save it as ~/.config/fish/completions/{prog}.fish)
complete -c {prog} -f

function {function}_words
    # The subcommand, the --db given, and how many positionals precede the cursor.
    set -l words (commandline -opc)
    set -e words[1]
    set -l command ''
    set -l db
    set -l index 0
    set -l skip ''
    for word in $words
        if test -n "$skip"
            test "$skip" = --db; and set db --db $word
            set skip ''
            continue
        end
        switch $word
            case {valued}
                set skip $word
            case '--db=*'
                set db --db (string replace -- '--db=' '' $word)
            case '-*'
            case '*'
                if test -z "$command"
                    set command $word
                else
                    set index (math $index + 1)
                end
        end
    end
    printf '%s\n' "$command" "$index" $db
end

function {function}_command_is
    set -l state ({function}_words)
    test "$state[1]" = "$argv[1]"
end

function {function}_offer
    set -l state ({function}_words)
    set -l db $state[3..-1]
    switch $argv[1]
        case key
            {prog} $db completion --keys 2>/dev/null
        case service
            {prog} $db completion --services 2>/dev/null
        case type
            {prog} completion --types 2>/dev/null
        case 'choice:*'
            string split ' ' -- (string replace 'choice:' '' -- "$argv")
    end
end

function {function}_positional
    set -l state ({function}_words)
    set -l positionals
    switch $state[1]
{cases}
    end
    set -l index (math $state[2] + 1)
    set -l slot ''
    if test $index -le (count $positionals)
        set slot $positionals[$index]
    else if test (count $positionals) -gt 0; and string match -q '*\*' -- $positionals[-1]
        set slot $positionals[-1]
    end
    set slot (string replace -r '\*$' '' -- $slot)
    switch $slot
        case file
            __fish_complete_path (commandline -ct)
        case ''
        case free
        case '*'
            {function}_offer $slot
    end
end

{lines}
"""
