"""The `dashboard` command (also `flask --app dashboard …`), one module per concern: content,
accounts, serve, and the nginx configuration."""

from __future__ import annotations

from flask.cli import FlaskGroup

from dashboard.cli import accounts, content, nginx, serve


def register(app) -> None:
    for command in (*content.COMMANDS, *accounts.COMMANDS, *serve.COMMANDS, *nginx.COMMANDS):
        app.cli.add_command(command)


def _create_app():
    # Inside the function: dashboard/__init__.py imports this package to register the commands.
    from dashboard import create_app

    return create_app(require_secret_key=False)  # the CLI's own process signs no sessions


main = FlaskGroup(create_app=_create_app, help="A live 'days since' dashboard.")
