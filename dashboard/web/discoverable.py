"""What search engines and social networks read of a page: Open Graph locales, and JSON-LD
that is valid JSON and cannot end its <script> early."""

from __future__ import annotations

import functools
import json

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from markupsafe import Markup

# Absolute addresses start with this mark, filled with each request's origin when the bytes
# are served (the bytes are rendered outside requests, by the scheduler too).
ORIGIN = "__ORIGIN__"


@functools.cache
def og_locale(code: str) -> str:
    """Open Graph's language_TERRITORY: ru_RU, en_US (the likeliest territory)."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    likely = get_global("likely_subtags").get(locale.language, "")  # e.g. ru_Cyrl_RU
    if not likely:
        return locale.language
    found = Locale.parse(likely)
    return f"{found.language}_{found.territory}" if found.territory else found.language


def json_ld(data: dict) -> Markup:
    """As a <script type="application/ld+json"> holds it: `<`, `>` and `&` escaped, so no
    `</script>` in a title ends the script, and the JSON still reads the same."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 (escaped above, for a script element)
