"""The `dashboard` command (also `flask --app dashboard …`), one module per concern: content,
accounts, serve, and the nginx configuration."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from dashboard import config
from dashboard.cli import accounts, audit, content, counters, nginx, serve
from dashboard.version import DISTRIBUTION, VERSION


def register(app) -> None:
    for command in (
        *content.COMMANDS,
        *counters.COMMANDS,
        *accounts.COMMANDS,
        *audit.COMMANDS,
        *serve.COMMANDS,
        *nginx.COMMANDS,
    ):
        app.cli.add_command(command)


def _create_app():
    # Inside the function: dashboard/__init__.py imports this package to register the commands.
    from dashboard import create_app

    try:
        return create_app(require_secret_key=False)  # the CLI's own process signs no sessions
    except config.SettingError as error:
        raise click.ClickException(str(error)) from None


class DashboardGroup(FlaskGroup):
    """A bad setting is one line ("Error: PROXY_COUNT must be …"), never a traceback: a command
    exits with it; the command list (--help) shows it above the commands that need no app."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            config.from_environment()
        except config.SettingError as error:
            click.secho(f"Error: {error}\n", err=True, fg="red")
            self._load_plugin_commands()
            return sorted(super(FlaskGroup, self).list_commands(ctx))
        return super().list_commands(ctx)


main = DashboardGroup(
    create_app=_create_app,
    help="A live 'days since' dashboard.",
    add_version_option=False,  # Flask's prints Flask's version; this one prints ours
)
click.version_option(VERSION, "--version", package_name=DISTRIBUTION, prog_name="dashboard")(main)
