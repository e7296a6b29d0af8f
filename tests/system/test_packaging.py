"""A plain (non-editable) install carries templates, styles, migrations and the demo."""

from __future__ import annotations

import email
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from dashboard import config
from dashboard.version import DISTRIBUTION, VERSION

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_serves_the_page_with_its_templates_and_styles(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheels"), str(ROOT)],
        check=True,
    )  # fmt: skip
    wheel = next((tmp_path / "wheels").glob("days_since_dashboard-*.whl"))
    assert wheel.name.startswith(f"days_since_dashboard-{VERSION}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    info = f"days_since_dashboard-{VERSION}.dist-info"
    meta = email.message_from_bytes(zipfile.ZipFile(wheel).read(f"{info}/METADATA"))
    assert (meta["Name"], meta["Version"]) == (DISTRIBUTION, VERSION)
    assert meta["License-Expression"] == "MIT"
    assert any(url.startswith("Source, https://") for url in meta.get_all("Project-URL"))
    assert "Framework :: Flask" in meta.get_all("Classifier")
    assert f"{info}/licenses/LICENSE" in names
    for expected in (
        "dashboard/templates/public/index.html",
        "dashboard/templates/public/base.html",
        "dashboard/templates/_htmx.html",
        "dashboard/static/dashboard.css",
        "dashboard/static/live.js",
        "dashboard/static/cdn-fallback.js",
        f"dashboard/static/{config.HTMX_LOCAL_FILE}",
        "dashboard/content/demo/site.toml",
        "dashboard/i18n/translations/ru/LC_MESSAGES/messages.po",
        "dashboard/content/migrations/versions/0002_languages.py",
        "dashboard/content/migrations/env.py",
        "dashboard/content/migrations/versions/0001_initial_schema.py",
        "dashboard/content/renderworker.py",  # run by path: bodies render in its process
        "dashboard/cli/nginx.conf.j2",
        # Cards and PNG badges draw with these, never with the system's fonts.
        "dashboard/web/fonts/DejaVuSans.ttf",
        "dashboard/web/fonts/DejaVuSans-Bold.ttf",
        "dashboard/web/fonts/LICENSE",
    ):
        assert expected in names, expected
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
    )  # fmt: skip
    # Run from the installed copy only: the checkout's folders must not be what makes it work.
    script = f"""
import base64, hashlib
import dashboard
assert dashboard.__file__.startswith({str(target)!r}), dashboard.__file__
from dashboard import create_app
from dashboard.content import sitefile
from dashboard.content import store
from dashboard.content.store import EXTENSION as STORE
url = "sqlite:///{tmp_path}/w.sqlite3"
app = create_app({{"DATABASE_URL": url, "INSTANCE_PATH": "{tmp_path}", "SECRET_KEY": "test"}})
store.migrate(app.extensions[STORE])
sitefile.load(app.extensions[STORE], sitefile.read_file(sitefile.DEMO_PATH))
client = app.test_client()
page = client.get("/")
css = client.get("/static/dashboard.css")
htmx = client.get("/static/{config.HTMX_LOCAL_FILE}")
sri = "sha384-" + base64.b64encode(hashlib.sha384(htmx.get_data()).digest()).decode()
print(page.status_code, css.status_code, app.template_folder, sri)
from dashboard.web import fonts
card = client.get("/counters/salisbury/card.png?lang=ru")
assert card.status_code == 200 and card.data.startswith(b"\\x89PNG"), card.status_code
assert str(fonts.REGULAR).startswith({str(target)!r}), fonts.REGULAR
print(page.get_data(as_text=True))
print(app.test_cli_runner().invoke(args=["nginx-config"]).output)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    status, css_status, template_folder, htmx_sri = result.stdout.splitlines()[0].split()
    assert (status, css_status) == ("200", "200")
    assert htmx_sri == config.HTMX_SRI  # the CDN's fallback, served by the installed copy
    assert template_folder.startswith(str(target))
    assert re.search(r"days have passed since the Salisbury incident", result.stdout)
    assert "proxy_cache_path /var/cache/nginx/dashboard " in result.stdout  # its template too


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^    (\S.*)$", readme, flags=re.M)[:2]
    assert "dashboard load --demo" in commands[0] and "dashboard serve" in commands[0]
    assert "pip install -q ." in commands[0]  # a plain install, not editable
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"TEST_COMMAND='{commands[1]}'" in ci
    assert 'bash -c "$TEST_COMMAND"' in ci
