"""Every English string the admin shows has its Russian, so a new one without it fails here."""

from __future__ import annotations

from babel.messages.pofile import read_po

from dashboard.i18n.catalogues import CATALOGUES
from tests.helpers.admin_words import all_msgids


def _catalogue():
    with (CATALOGUES / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="ru")


def test_every_admin_string_has_russian():
    catalogue = _catalogue()
    missing = []
    for message in sorted(all_msgids(), key=str):
        entry = catalogue.get(message[0] if isinstance(message, tuple) else message)
        forms = entry.string if entry else ""
        if isinstance(message, tuple) != isinstance(forms, tuple):
            missing.append(message)  # a plural needs plural forms, and back
        elif not all(forms if isinstance(forms, tuple) else [forms]):
            missing.append(message)
    assert not missing, f"no Russian for: {missing}"


def test_the_walk_finds_templates_code_and_schema():
    found = all_msgids()
    assert "Sign in" in found  # admin/login.html
    assert "Site settings saved." in found  # web/admin/site.py
    assert ("%(num)s draft", "%(num)s drafts") in found  # a plural, admin/index.html
    assert "Counter “%(label)s” saved." in found  # marked where defined, web/admin/ordered.py
    assert "Summary" in found  # the statement schema's label


def test_russian_plurals_have_three_forms_and_keep_placeholders():
    catalogue = _catalogue()
    for entry in catalogue:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if isinstance(entry.id, tuple):
            assert len(forms) == 3, entry.id
        for form in forms:
            for name in ("%(num)s", "%(title)s", "%(label)s", "{timezone}", "%(time)s"):
                assert (name in ids[0]) == (name in form), (entry.id, form)


def test_a_problem_is_matched_with_its_values_and_an_unknown_one_kept(app):
    from flask import g

    from dashboard.i18n import problems

    with app.test_request_context():
        g.admin_locale = "ru"
        said = problems.translate("timezone 'Mars/X' is not a known IANA time zone")
        assert said == "часовой пояс 'Mars/X' не найден в базе IANA"
        assert problems.translate("something new went wrong") == "something new went wrong"
    # Outside the admin (the JSON API, the site file) the sentence stays English.
    assert problems.translate("'title' must not be empty") == "'title' must not be empty"
