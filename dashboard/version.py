"""The release: its one version number and its name on the package index. The wheel's metadata
reads VERSION from here (pyproject.toml, [tool.hatch.version]); `dashboard --version`, the
feed poller's User-Agent and the Atom generator print it."""

VERSION = "0.2.0"

# The name on PyPI. `dashboard` there is an unrelated project that installs its own top-level
# `dashboard/` package; this distribution keeps the import package and the command `dashboard`.
DISTRIBUTION = "days-since-dashboard"
HOMEPAGE = "https://github.com/days-since-dashboard/days-since-dashboard"
