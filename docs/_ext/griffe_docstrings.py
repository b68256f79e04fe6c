"""Griffe extension for the docs build: fill docstring templates statically.

A few kcnalex functions share parameter text: their docstring holds a placeholder such
as ``{params}`` that the module fills at import time from a private string constant
(``read_corpus.__doc__ = read_corpus.__doc__.replace("{params}", _DOC_PARAMS...)``).
mkdocstrings reads the source without importing it, so this extension does the same
substitution on the static docstrings: a placeholder ``{name}`` in a function of a
module is replaced by the module's string constant ``_DOC_<NAME>`` when there is one.
"""

from __future__ import annotations

import ast
import re
import textwrap
from typing import Any

import griffe

_PLACEHOLDER = re.compile(r"^\{([a-z_]+)\}$", re.M)


def _constant(module: griffe.Module, name: str) -> str | None:
    member = module.members.get(name)
    if member is None or member.is_alias or not member.is_attribute:
        return None
    try:
        value = ast.literal_eval(str(member.value))
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


class FillDocstringTemplates(griffe.Extension):
    """Replace ``{name}`` lines of docstrings by the module's ``_DOC_NAME`` text."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._visit(pkg)

    def _visit(self, module: griffe.Module) -> None:
        for member in list(module.members.values()):
            if member.is_alias:
                continue
            if member.is_module:
                self._visit(member)
            elif member.is_function and member.docstring is not None:
                self._fill(module, member)

    def _fill(self, module: griffe.Module, func: griffe.Function) -> None:
        doc = func.docstring.value

        def sub(match: re.Match) -> str:
            text = _constant(module, f"_DOC_{match.group(1).upper()}")
            if text is None:
                return match.group(0)
            return textwrap.dedent(text.strip("\n")).strip()

        new = _PLACEHOLDER.sub(sub, doc)
        if new != doc:
            func.docstring.value = new
