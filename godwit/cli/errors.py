"""How the CLI reports a failure: one red ``Error: ...`` line on stderr, exit code 1."""

import click
from openstack import exceptions as sdk_exc
from rich.console import Console


class CliError(click.ClickException):
    """A failure the user can act on; click prints it via show() and exits 1."""

    def show(self, file=None):
        console = Console(file=file, stderr=True)
        console.print(
            f"Error: {self.format_message()}",
            style="red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def describe(exc):
    """One line for an SDK or keystoneauth failure, preferring the API's own fault message."""
    if isinstance(exc, sdk_exc.HttpException) and exc.details:
        text = f"{exc.details} (HTTP {exc.status_code})"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())
