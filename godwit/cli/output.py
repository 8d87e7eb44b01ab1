"""Printing results as rich tables or, with --format json, as JSON on stdout."""

import json

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Width used when stdout is not a terminal, so piped rows are never wrapped or cut.
PIPE_WIDTH = 1000


def print_list(fmt, columns, rows):
    """Rows are dicts keyed by column title; JSON gets the same keys."""
    if fmt == "json":
        _print_json(rows)
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    _stdout().print(table)


def print_record(fmt, record):
    """One object as a two-column Field/Value table (or a JSON object)."""
    if fmt == "json":
        _print_json(record)
        return
    table = Table("Field", "Value")
    for field, value in record.items():
        table.add_row(Text(field), _cell(value))
    _stdout().print(table)


def _print_json(data):
    click.echo(json.dumps(data, indent=2, default=str))


def _cell(value):
    # Text, not str: a server name like "[red]x" must not be read as rich markup.
    return Text(_plain(value))


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{key}={_plain(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(item) for item in value)
    return str(value)


def _stdout():
    console = Console()
    if not console.is_terminal:
        console.width = PIPE_WIDTH
    return console
