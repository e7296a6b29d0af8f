"""statements can be searched in every language's word forms: an index that the database
itself keeps up to date with every write, in the write's own transaction

SQLite: an FTS5 table of stems, `statement_search`, kept by triggers that call two functions
every connection of the store registers (dashboard/search/sqlite.py). A later migration that
rebuilds the statements table (batch mode's copy-and-rename) drops these triggers with it and
must create them again; tests/web/test_search_index.py checks they are there at the head.

PostgreSQL: `statements.search`, a tsvector generated from the row in the statement's
language's configuration (Snowball without stop words, as on SQLite; 'simple', the words
themselves, for languages without one), with a GIN index. Adding a stemmed language to
dashboard/i18n/languages.py needs a migration that creates its configuration and regenerates
the column with it.

Both index the text of the body (tags and entities dropped, as dashboard/search/words.py does),
and at most the first INDEXED_CHARS characters of each field: a tsvector holds at most 1 MB.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from dashboard.search import sqlite as search_sqlite

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXED_CHARS = 200_000
LANGUAGES = {"en": "english", "ru": "russian"}  # as dashboard/i18n/languages.py had them
TRIGGERS = ("statement_search_insert", "statement_search_update", "statement_search_delete")


def _sqlite_row(row: str) -> str:
    return (
        f"dashboard_search_key({row}.published, {row}.id), "
        f"dashboard_search_text({row}.language, {row}.title, 0), "
        f"dashboard_search_text({row}.language, {row}.summary, 0), "
        f"dashboard_search_text({row}.language, {row}.body_html, 1)"
    )


SQLITE = [
    "CREATE VIRTUAL TABLE statement_search USING fts5("
    "title, summary, body, tokenize = 'unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER statement_search_insert AFTER INSERT ON statements BEGIN
        INSERT INTO statement_search (rowid, title, summary, body) VALUES ({_sqlite_row("new")});
    END""",
    f"""CREATE TRIGGER statement_search_update
    AFTER UPDATE OF id, published, language, title, summary, body_html ON statements BEGIN
        DELETE FROM statement_search WHERE rowid = dashboard_search_key(old.published, old.id);
        INSERT INTO statement_search (rowid, title, summary, body) VALUES ({_sqlite_row("new")});
    END""",
    """CREATE TRIGGER statement_search_delete AFTER DELETE ON statements BEGIN
        DELETE FROM statement_search WHERE rowid = dashboard_search_key(old.published, old.id);
    END""",
    "INSERT INTO statement_search (rowid, title, summary, body) "
    f"SELECT {_sqlite_row('statements')} FROM statements",
]

MAPPED = "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart"


def _configuration() -> str:
    cases = " ".join(
        f"WHEN '{code}' THEN 'dashboard_{name}'::regconfig" for code, name in LANGUAGES.items()
    )
    language = "lower(split_part(replace(language, '_', '-'), '-', 1))"
    return f"CASE {language} {cases} ELSE 'simple'::regconfig END"


def _words(text: str) -> str:
    """Apostrophes go and other punctuation becomes spaces, so that PostgreSQL's parser sees
    the words the way words.WORD cuts them (no hosts, e-mail addresses or hyphenated
    compounds, and "Lavrov's" is one word)."""
    joined = f"regexp_replace(left({text}, {INDEXED_CHARS}), '[''’]', '', 'g')"
    return f"regexp_replace({joined}, '[[:punct:]]', ' ', 'g')"


def _postgres_column() -> str:
    tags = """regexp_replace(body_html, '<(?:[^>"]|"[^"]*")*>', ' ', 'g')"""
    body = f"regexp_replace({tags}, '&[#0-9A-Za-z]+;', ' ', 'g')"
    parts = [("title", "A"), ("summary", "B"), (body, "D")]
    vectors = " || ".join(
        f"setweight(to_tsvector({_configuration()}, {_words(text)}), '{weight}')"
        for text, weight in parts
    )
    return (
        f"ALTER TABLE statements ADD COLUMN search tsvector GENERATED ALWAYS AS ({vectors}) STORED"
    )


def _postgres() -> list[str]:
    statements = []
    for name in LANGUAGES.values():
        statements += [
            f"CREATE TEXT SEARCH DICTIONARY dashboard_{name}_stem (TEMPLATE = snowball, Language = {name})",
            f"CREATE TEXT SEARCH CONFIGURATION dashboard_{name} (COPY = simple)",
            f"ALTER TEXT SEARCH CONFIGURATION dashboard_{name} ALTER MAPPING FOR {MAPPED} WITH dashboard_{name}_stem",
        ]
    return [
        *statements,
        _postgres_column(),
        "CREATE INDEX ix_statements_search ON statements USING gin (search)",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        commands = _postgres()
    else:
        search_sqlite.register(bind.connection.driver_connection)  # to fill the index now
        commands = SQLITE
    for command in commands:
        op.execute(command)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_statements_search")
        op.execute("ALTER TABLE statements DROP COLUMN search")
        for name in LANGUAGES.values():
            op.execute(f"DROP TEXT SEARCH CONFIGURATION dashboard_{name}")
            op.execute(f"DROP TEXT SEARCH DICTIONARY dashboard_{name}_stem")
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE statement_search")
