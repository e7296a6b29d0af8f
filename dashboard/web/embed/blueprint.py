"""The embed's blueprint: the widget, its builder and oEmbed each add their routes to it."""

from flask import Blueprint

bp = Blueprint("embed", __name__)
