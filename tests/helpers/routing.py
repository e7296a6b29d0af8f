"""Each test makes an app of its own, and werkzeug compiles two URL builders for every route of
every app (it writes and compiles Python source for each): a third of the fast tier's time.

A builder's code depends only on the rule's parts and the names of its defaults, so the tests
compile each one once and share it. A rule whose defaults fill one of its variables is left to
werkzeug (its code holds the converted value). If werkzeug's internals move, nothing is
shared and the tests run slower, never wrong: `shared_builders()` says whether the sharing is
on, and a test checks that.
"""

from __future__ import annotations

from werkzeug.routing import Rule

_compiled: dict[tuple, object] = {}


def shared_builders() -> bool:
    return getattr(Rule._compile_builder, "shared", False)


def share_compiled_builders() -> None:
    original = getattr(Rule, "_compile_builder", None)
    if original is None or shared_builders():
        return

    def compile_builder(rule: Rule, append_unknown: bool = True):
        defaults = rule.defaults or {}
        trace = tuple(getattr(rule, "_trace", ()))
        if not trace:
            return original(rule, append_unknown)
        if any(dynamic and data in defaults for dynamic, data in trace):
            return original(rule, append_unknown)
        key = (trace, tuple(str(name) for name in defaults), append_unknown)  # the signature
        if key not in _compiled:
            _compiled[key] = original(rule, append_unknown)
        return _compiled[key]

    compile_builder.shared = True
    Rule._compile_builder = compile_builder
