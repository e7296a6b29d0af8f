"""What a browser sends for an entity's form, drawn from the widgets its schema gives."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from dashboard.content.schema import Context, Entity


def posted(entity: Entity, shown: dict, context: Context) -> MultiDict:
    """The form showing `shown`, submitted as it is: a checked box's value, each checked box of
    a group, a translation's every part, and every other field's text."""
    form = MultiDict()
    for widget in entity.widgets(context):
        value = shown.get(widget.name)
        if widget.input == "checkbox":
            if value:
                form[widget.name] = "1"
        elif widget.input == "checkboxes":
            form.setlist(widget.name, [v for v, _text in widget.options if v in (value or [])])
        elif widget.input == "translations":
            for code, _name in widget.options:
                for word, _label in widget.parts:
                    key = f"{widget.name}-{code}-{word}"
                    form[key] = (value or {}).get(code, {}).get(word, "")
        else:
            form[widget.name] = "" if value is None else str(value)
    return form
