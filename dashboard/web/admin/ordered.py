"""/admin/counters, /admin/clocks and /admin/topics: lists in the order the site shows them,
moved up and down, each row edited in a form whose errors come back beside its fields. One set
of routes serves them all; the URL names which (`kind`), and each endpoint is spelled out
below."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sqlalchemy as sa
from flask import render_template, request, url_for

from dashboard.content import editing, models
from dashboard.content.schema import CLOCK, COUNTER, TOPIC, Entity
from dashboard.content.store import current_store
from dashboard.i18n.interface import N_, _
from dashboard.web.admin.blueprint import bp, done, entity_form, find_row, save_posted
from dashboard.web.admin.blueprint import list_or_redirect as _list_or_redirect


@dataclasses.dataclass(frozen=True)
class Words:
    """A kind's own sentences: Russian words have genders ("счётчик сохранён", "тема
    сохранена"), so no sentence is put together from a kind's name."""

    title: str
    new: str
    edit: str
    saved: str  # "%(label)s" is the row's key
    deleted: str


@dataclasses.dataclass(frozen=True)
class Kind:
    plural: str  # "counters": the URL
    schema: Entity  # its name ("counter") names the templates; its key names a row in messages
    model: type
    save: Callable[[dict, int | None], object]
    words: Words

    @property
    def name(self) -> str:
        return self.schema.name


def rows(kind: Kind) -> list:
    model = kind.model
    with current_store().session() as db:
        return list(db.scalars(sa.select(model).order_by(model.position, model.id)))


def list_page(kind: Kind):
    return render_template(
        "admin/ordered.html",
        kind=kind.plural,
        kind_title=_(kind.words.title),
        new_title=_(kind.words.new),
        rows=rows(kind),
    )


def find(kind: Kind, row_id: int):
    return find_row(kind.model, row_id, kind.name)


def form(kind: Kind, row, values=None, errors=None, status=200):
    if row is None:
        action = url_for("admin.ordered_new", kind=kind.plural)
    else:
        action = url_for("admin.ordered_edit", kind=kind.plural, row_id=row.id)
    return entity_form(
        "admin/ordered_form.html", kind.schema, row, action, values, errors, status,
        new_title=_(kind.words.new), edit_title=_(kind.words.edit),
    )  # fmt: skip


def new_or_edit(kind: Kind, row):
    if request.method != "POST":
        return form(kind, row)
    row_id = row.id if row else None
    saved, values, errors = save_posted(kind.schema, lambda values: kind.save(values, row_id))
    if saved is None:
        return form(kind, row, values, errors, 422)
    label = getattr(saved, kind.schema.key)
    return done("admin.ordered_list", _(kind.words.saved, label=label), kind=kind.plural)


def list_or_redirect(kind: Kind, message: str = ""):
    def context() -> dict:
        return {"kind": kind.plural, "rows": rows(kind)}

    target = url_for("admin.ordered_list", kind=kind.plural)
    return _list_or_redirect(target, "admin/_order_list.html", context, message)


def delete(kind: Kind, row_id: int):
    row = find(kind, row_id)
    editing.delete_row(kind.model, row.id)
    label = getattr(row, kind.schema.key)
    return list_or_redirect(kind, _(kind.words.deleted, label=label))


def move(kind: Kind, row_id: int):
    row = find(kind, row_id)
    steps = -1 if request.form.get("direction") == "up" else 1
    editing.move(kind.model, row.id, steps)
    return list_or_redirect(kind)


COUNTERS = Words(
    N_("Counters"),
    N_("New counter"),
    N_("Edit counter"),
    N_("Counter “%(label)s” saved."),
    N_("Counter “%(label)s” deleted."),
)
CLOCKS = Words(
    N_("Clocks"),
    N_("New clock"),
    N_("Edit clock"),
    N_("Clock “%(label)s” saved."),
    N_("Clock “%(label)s” deleted."),
)
TOPICS = Words(
    N_("Topics"),
    N_("New topic"),
    N_("Edit topic"),
    N_("Topic “%(label)s” saved."),
    N_("Topic “%(label)s” deleted."),
)
KINDS = {
    "counters": Kind("counters", COUNTER, models.Counter, editing.save_counter, COUNTERS),
    "clocks": Kind("clocks", CLOCK, models.Clock, editing.save_clock, CLOCKS),
    "topics": Kind("topics", TOPIC, models.Topic, editing.save_topic, TOPICS),
}
KIND = "<any(counters, clocks, topics):kind>"


@bp.get(f"/{KIND}")
def ordered_list(kind: str):
    return list_page(KINDS[kind])


@bp.route(f"/{KIND}/new", methods=["GET", "POST"])
def ordered_new(kind: str):
    return new_or_edit(KINDS[kind], None)


@bp.route(f"/{KIND}/<int:row_id>", methods=["GET", "POST"])
def ordered_edit(kind: str, row_id: int):
    return new_or_edit(KINDS[kind], find(KINDS[kind], row_id))


@bp.post(f"/{KIND}/<int:row_id>/delete")
def ordered_delete(kind: str, row_id: int):
    return delete(KINDS[kind], row_id)


@bp.post(f"/{KIND}/<int:row_id>/move")
def ordered_move(kind: str, row_id: int):
    return move(KINDS[kind], row_id)
