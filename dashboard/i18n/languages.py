"""The one list of languages. A language is one record: everything the code needs to write a
page, a caption and a badge in it. Its interface words live in its gettext catalogue,
translations/<code>/LC_MESSAGES/messages.po (a language without one shows English words).

Adding a language is adding a record here (and its catalogue): LOCALES, the language menus,
the nginx maps (`dashboard nginx-config`), the scheduler's warming and the tests all follow.
"""

from __future__ import annotations

import dataclasses

# One phrase per CLDR plural category the locale uses; "{n}" is the formatted number.
Plurals = dict[str, str]


@dataclasses.dataclass(frozen=True)
class Language:
    code: str  # a CLDR locale code, also ?lang= and the cookie's value
    name: str  # in the language itself, for menus
    # Counter captions; the event text is the site's own, already in the case a phrase needs.
    since: Plurals
    until: Plurals
    # A badge's message ("693 days") and, for counting down, its own forms.
    badge_since: Plurals
    badge_until: Plurals
    # The date line's CLDR pattern; None takes CLDR's long form ("26 января 2020 г.").
    date_pattern: str | None = None
    # An event on its own as a badge label: English drops "the ", Russian needs the preposition
    # back (the event is in the genitive).
    label_prefix_since: str = ""
    label_prefix_until: str = ""
    drop_article: str = ""
    # Words a shortened label must not end on.
    small_words: frozenset[str] = frozenset()
    # The Snowball algorithm that finds a word's stem in this language, for search ("посольства"
    # finds "посольство"); None searches its statements by whole words. On PostgreSQL the
    # configuration `dashboard_<stemmer>` must exist: a migration creates it (see 0008).
    stemmer: str | None = None
    # A counter's longest run ("record: 412 days"); a language without them says the days alone.
    record: Plurals = dataclasses.field(default_factory=dict)
    # Counters read in years, months, weeks or working days (`display`): each unit's forms,
    # joined as CLDR's lists in `list_locale` join them ("2 years, 3 months and 4 days"). A
    # language without them reads such counters in English words.
    units: dict[str, Plurals] = dataclasses.field(default_factory=dict)
    list_locale: str = ""
    # The sentence around such a span. "one" is a span of one part whose count is in CLDR's
    # "one", "one-f" that part's unit is feminine (`feminine`); anything else is "other".
    span_since: dict[str, str] = dataclasses.field(default_factory=dict)
    span_until: dict[str, str] = dataclasses.field(default_factory=dict)
    feminine: frozenset[str] = frozenset()
    span_badge_until: str = "{span}"
    today: str = ""  # the day itself, when a span has nothing in it
    badge_today: str = ""
    # Milestones: "1,000 days since the Salisbury incident", shown as "1,000 days today".
    milestone_since: str = ""
    milestone_today: str = ""

    def record_forms(self) -> Plurals:
        return self.record or self.badge_since

    def caption_forms(self, counting_down: bool) -> Plurals:
        return self.until if counting_down else self.since

    def badge_forms(self, counting_down: bool) -> Plurals:
        return self.badge_until if counting_down else self.badge_since

    def label_prefix(self, counting_down: bool) -> str:
        return self.label_prefix_until if counting_down else self.label_prefix_since


ENGLISH = Language(
    code="en",
    name="English",
    since={
        "one": "{n} day has passed since {event}",
        "other": "{n} days have passed since {event}",
    },
    until={
        "one": "{n} day to go until {event}",
        "other": "{n} days to go until {event}",
    },
    badge_since={"one": "{n} day", "other": "{n} days"},
    badge_until={"one": "in {n} day", "other": "in {n} days"},
    record={"one": "record: {n} day", "other": "record: {n} days"},
    date_pattern="d MMMM y",
    drop_article="the ",
    stemmer="english",
    small_words=frozenset(
        {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"}
    ),
    units={
        "year": {"one": "{n} year", "other": "{n} years"},
        "month": {"one": "{n} month", "other": "{n} months"},
        "week": {"one": "{n} week", "other": "{n} weeks"},
        "day": {"one": "{n} day", "other": "{n} days"},
        "working_day": {"one": "{n} working day", "other": "{n} working days"},
    },
    list_locale="en_GB",  # "a, b and c": no serial comma
    span_since={
        "one": "{span} has passed since {event}",
        "other": "{span} have passed since {event}",
    },
    span_until={"other": "{span} to go until {event}"},
    span_badge_until="in {span}",
    today="Today is the day of {event}",
    badge_today="today",
    milestone_since="{milestone} since {event}",
    milestone_today="{milestone} today",
)

RUSSIAN = Language(
    code="ru",
    name="Русский",
    since={
        "one": "{n} день прошёл с {event}",
        "few": "{n} дня прошло с {event}",
        "many": "{n} дней прошло с {event}",
        "other": "{n} дня прошло с {event}",
    },
    until={
        "one": "{n} день остался до {event}",
        "few": "{n} дня осталось до {event}",
        "many": "{n} дней осталось до {event}",
        "other": "{n} дня осталось до {event}",
    },
    badge_since={"one": "{n} день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"},
    badge_until={"one": "{n} день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"},
    record={
        "one": "рекорд: {n} день",
        "few": "рекорд: {n} дня",
        "many": "рекорд: {n} дней",
        "other": "рекорд: {n} дня",
    },
    label_prefix_since="с ",
    label_prefix_until="до ",
    stemmer="russian",
    small_words=frozenset(
        {"в", "во", "и", "к", "на", "о", "об", "от", "по", "с", "со", "у", "из", "за", "до"}
    ),
    units={
        "year": {"one": "{n} год", "few": "{n} года", "many": "{n} лет", "other": "{n} года"},
        "month": {
            "one": "{n} месяц",
            "few": "{n} месяца",
            "many": "{n} месяцев",
            "other": "{n} месяца",
        },
        "week": {
            "one": "{n} неделя",
            "few": "{n} недели",
            "many": "{n} недель",
            "other": "{n} недели",
        },
        "day": {"one": "{n} день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"},
        "working_day": {
            "one": "{n} рабочий день",
            "few": "{n} рабочих дня",
            "many": "{n} рабочих дней",
            "other": "{n} рабочих дня",
        },
    },
    list_locale="ru",
    # One part agrees with its unit (1 год прошёл, 1 неделя прошла); several take the neuter.
    span_since={
        "one": "{span} прошёл с {event}",
        "one-f": "{span} прошла с {event}",
        "other": "{span} прошло с {event}",
    },
    span_until={
        "one": "{span} остался до {event}",
        "one-f": "{span} осталась до {event}",
        "other": "{span} осталось до {event}",
    },
    feminine=frozenset({"week"}),
    today="Сегодня — день {event}",
    badge_today="сегодня",
    milestone_since="{milestone} с {event}",
    milestone_today="Сегодня — {milestone}",
)

# In menu order; the first is the default for a site that names none.
LANGUAGES: dict[str, Language] = {language.code: language for language in (ENGLISH, RUSSIAN)}
DEFAULT_LOCALE = "en"


def locales() -> tuple[str, ...]:
    """The codes, in menu order. A function, so that a language registered later (a test's,
    say) is seen everywhere."""
    return tuple(LANGUAGES)


def names() -> dict[str, str]:
    return {code: language.name for code, language in LANGUAGES.items()}


def supported(locale: str | None) -> str:
    return locale if locale in LANGUAGES else DEFAULT_LOCALE


def language(locale: str | None) -> Language:
    return LANGUAGES[supported(locale)]


def register(new: Language) -> None:
    """Add a language (for a test, or a deployment's own)."""
    LANGUAGES[new.code] = new


def unregister(code: str) -> None:
    if code == DEFAULT_LOCALE:
        raise ValueError("the default language cannot be removed")
    LANGUAGES.pop(code, None)
