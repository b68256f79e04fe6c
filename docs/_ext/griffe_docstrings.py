"""Griffe extension for the docs build: docstring templates and reST roles.

1. Some kcnalex functions share parameter text: their docstring holds a placeholder
such as ``{params}`` that the module fills at import time from a private string constant
(``read_corpus.__doc__ = read_corpus.__doc__.replace("{params}", _DOC_PARAMS...)``).
mkdocstrings reads the source without importing it, so this extension does the same
substitution on the static docstrings: a placeholder ``{name}`` in a function of a
module is replaced by the module's string constant ``_DOC_<NAME>`` when there is one.

2. The numpydoc docstrings use reST roles (``:func:`aggregate```, ``:math:`\\hat r```)
that Markdown would show verbatim; they are rendered as code spans.
"""

from __future__ import annotations

import ast
import re
import textwrap
from typing import Any

import griffe

_PLACEHOLDER = re.compile(r"^\{([a-z_]+)\}$", re.M)
_ROLE = re.compile(r":(?:func|meth|class|mod|data|attr|obj|exc|math|ref):`~?([^`]+)`")


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
    """Fill ``{name}`` lines from ``_DOC_NAME``; reST roles become code spans."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._visit(pkg)

    def _visit(self, obj: griffe.Object, module: griffe.Module | None = None) -> None:
        module = obj if obj.is_module else module
        if obj.docstring is not None:
            self._fill(module, obj)
        for member in list(obj.members.values()):
            if not member.is_alias:
                self._visit(member, module)

    def _fill(self, module: griffe.Module, obj: griffe.Object) -> None:
        doc = obj.docstring.value

        def sub(match: re.Match) -> str:
            text = _constant(module, f"_DOC_{match.group(1).upper()}")
            if text is None:
                return match.group(0)
            return textwrap.dedent(text.strip("\n")).strip()

        new = _ROLE.sub(lambda m: f"``{m.group(1)}``", _PLACEHOLDER.sub(sub, doc))
        if new != doc:
            obj.docstring.value = new
