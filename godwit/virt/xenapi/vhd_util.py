"""A subset of dom0's ``vhd-util`` on top of ``godwit.virt.xenapi.vhd``, for the simulator.

Plugins run by the XAPI simulator find it on their ``PATH`` under the real tool's name, so
they can call it as they would on dom0. Supported, with the real tool's options and output:

    vhd-util query -n PATH [-v] [-p]   virtual size in MiB; the parent's absolute path, or
                                       "PATH has no parent"
    vhd-util check -n PATH             "PATH is valid", or the problems and exit status 1
    vhd-util modify -n PATH -p PARENT  relink PATH to PARENT
    vhd-util snapshot -n NEW -p PARENT create NEW, an empty differencing child of PARENT

Anything else prints a usage message and exits with status 1.

Options are parsed here rather than with ``getopt``, which imports ``gettext``: a
migration's downtime includes runs of this tool, and its start-up is mostly imports (see
"Start-up" in ``godwit.virt.xenapi.vhd``).
"""
import sys

from godwit.virt.xenapi import vhd

MIB = 1024 * 1024
USAGE = """usage: vhd-util COMMAND [OPTIONS]
COMMAND := { query | check | modify | snapshot }
  query -n NAME [-v] [-p]
  check -n NAME
  modify -n NAME -p PARENT
  snapshot -n NAME -p PARENT"""


class UsageError(Exception):
    """Options a command does not accept, or misses."""


def _parse(argv, spec):
    """{letter: value or True} of short options as getopt reads them (``-n NAME``,
    ``-nNAME``, ``-vp``); ``spec`` lists the letters, a ``:`` after those taking a value."""
    takes_value = {letter: spec[index + 1:index + 2] == ":"
                   for index, letter in enumerate(spec) if letter != ":"}
    options, rest = {}, list(argv)
    while rest:
        word = rest.pop(0)
        if len(word) < 2 or not word.startswith("-"):
            raise UsageError(f"unexpected arguments: {' '.join([word] + rest)}")
        letters = word[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            if letter not in takes_value:
                raise UsageError(f"option -{letter} not recognized")
            if takes_value[letter]:
                if not letters and not rest:
                    raise UsageError(f"option -{letter} requires argument")
                options[letter], letters = letters or rest.pop(0), ""
            else:
                options[letter] = True
    return options


def _options(argv, spec, required):
    """The command's options as {letter: value or True}, checking the required ones."""
    options = _parse(argv, spec)
    missing = [letter for letter in required if letter not in options]
    if missing:
        raise UsageError("missing -" + ", -".join(missing))
    return options


def query(argv):
    options = _options(argv, "n:vp", "n")
    if not {"v", "p"} & options.keys():
        raise UsageError("query needs -v or -p")
    info = vhd.info(options["n"])
    if "v" in options:
        print(info["virtual_size"] // MIB)
    if "p" in options:
        print(info["parent_path"] or f"{options['n']} has no parent")
    return 0


def check(argv):
    path = _options(argv, "n:", "n")["n"]
    problems = vhd.check(path)
    if problems:
        print(f"{path} appears invalid; " + "; ".join(problems))
        return 1
    print(f"{path} is valid")
    return 0


def modify(argv):
    options = _options(argv, "n:p:", "np")
    vhd.set_parent(options["n"], options["p"])
    return 0


def snapshot(argv):
    options = _options(argv, "n:p:", "np")
    vhd.create_differencing(options["n"], options["p"])
    return 0


COMMANDS = {"query": query, "check": check, "modify": modify, "snapshot": snapshot}


def main(argv=None):
    """Runs one command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    command = COMMANDS.get(argv[0]) if argv else None
    if command is None:
        print(USAGE, file=sys.stderr)
        return 1
    try:
        return command(argv[1:])
    except UsageError as exc:
        print(f"vhd-util {argv[0]}: {exc}\n{USAGE}", file=sys.stderr)
        return 1
    except (OSError, ValueError, vhd.VhdError) as exc:
        print(f"vhd-util {argv[0]} failed: {exc}", file=sys.stderr)
        return 1
