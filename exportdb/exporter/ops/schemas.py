"""ATen operator schemas, and the argument layout torch.export records for a call.

The schemas come from ``aten_schemas.json`` next to this module, dumped from
torch 2.13 by ``python -m exportdb.tools.dump_op_schemas``.  The file is read
on the first lookup, never at import.  :func:`normalize` lays a call out as
torch.export 2.13 records the node::

    >>> normalize("aten.cumsum.default", ("x", 1), {"dtype": None})
    (('x', 1), {})
    >>> normalize("aten.sum.dim_IntList", ("x",), {"dim": 0, "keepdim": False})
    (('x', [0]), {})
    >>> normalize("aten.clamp.default", ("x",), {"max": 6})
    (('x', None, 6), {})

* arguments before the schema's ``*`` are positional, the others ``name=value``
  in schema order;
* trailing positional arguments equal to their defaults are dropped, and so are
  keyword-only arguments equal to theirs; a default is "equal" as an ATen value
  is: ``Scalar`` compares its kind too (``alpha=1.0`` is kept where the default
  is ``1``), ``None`` only equals ``None``, tensors and symbolic sizes never
  equal a default;
* values take the argument's type as torch's argument parser gives it: an
  ``int`` for a ``float`` argument becomes a float, a tuple for a list argument
  a list, and one integer for an ``int[2]`` argument the list ``[k, k]``.

Values the front end passes explicitly stay, even when torch's Python binding
is what supplies them: ``torch.zeros(3)`` records ``device=cpu, pin_memory=False``
because the binding passes those (their schema defaults are ``None``).  Ops in
:data:`AS_CALLED` are recorded exactly as called: torch's export inserts their
nodes itself rather than through the dispatcher.  Qualnames outside the
``aten`` namespace (``getitem``, ``higher_order.cond``, ``sym.*``) have no schema
and pass through unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("aten_schemas.json")

#: Nodes torch.export 2.13 creates directly, with their arguments laid out by hand:
#: ``x.to(dtype)`` adds ``_assert_tensor_metadata(x, dtype=..., device=..., layout=...)``
#: although ``dtype`` is not keyword-only in the schema.
AS_CALLED = frozenset({"aten._assert_tensor_metadata.default"})


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
_ENUM_TYPES = ("ScalarType", "MemoryFormat", "Layout")


class Arg:
    """One argument: its name, its type as the schema writes it (``Tensor(a!)``, ``SymInt[]``,
    ``ScalarType?``), whether it is keyword-only, and its default (:data:`NO_DEFAULT` if none).

    ``coercion`` says how :func:`normalize` converts a value for the type: ``""`` (as is),
    ``"float"`` (an int becomes a float), ``"list"`` (a tuple becomes a list) or ``"list<N>"``
    (also one int becomes N copies, for ``int[2]``).
    """

    __slots__ = ("name", "type", "kwarg_only", "default", "has_default", "coercion")

    def __init__(self, name: str, type: str, kwarg_only: bool = False, default: Any = NO_DEFAULT) -> None:
        self.name, self.type, self.kwarg_only, self.default = name, type, kwarg_only, default
        self.has_default = default is not NO_DEFAULT
        bare = type.rstrip("?")
        if bare.endswith("]"):
            self.coercion = "list" + bare[bare.rindex("[") + 1:-1]
        else:
            self.coercion = "float" if bare == "float" else ""

    @property
    def written(self) -> bool:
        """True for an argument the op writes (alias annotation ``a!``)."""
        return "!" in self.type

    @property
    def base_type(self) -> str:
        """The type without alias annotation, list size or ``?``: ``Tensor``, ``SymInt``, ``float``."""
        return self.type.split("(")[0].split("[")[0].rstrip("?")

    def __str__(self) -> str:
        text = f"{self.type} {self.name}"
        return f"{text}={_default_text(self.default)}" if self.has_default else text

    def __repr__(self) -> str:
        return f"Arg({self})" if not self.kwarg_only else f"Arg(*, {self})"


class Schema:
    """The schema of one overload, ``aten.cumsum.default``; ``returns`` holds the return types.

    ``positional`` are the arguments before ``*``, ``by_name`` maps names to arguments and
    ``required`` counts the leading positional arguments up to the last one without a default.
    """

    __slots__ = ("qualname", "args", "returns", "positional", "by_name", "required", "coerces", "keyword_order")

    def __init__(self, qualname: str, args: tuple[Arg, ...], returns: tuple[str, ...]) -> None:
        self.qualname, self.args, self.returns = qualname, args, returns
        self.positional = tuple(a for a in args if not a.kwarg_only)
        self.by_name = {a.name: a for a in args}
        self.required = max((i + 1 for i, a in enumerate(self.positional) if not a.has_default), default=0)
        self.coerces = any(a.coercion for a in self.positional)
        self.keyword_order = tuple(a.name for a in args if a.kwarg_only)

    def __repr__(self) -> str:
        return f"Schema({self})"

    def __str__(self) -> str:
        params, star = [], False
        for a in self.args:
            if a.kwarg_only and not star:
                params.append("*")
                star = True
            params.append(str(a))
        _, name, overload = self.qualname.split(".")
        rets = self.returns[0] if len(self.returns) == 1 else f"({', '.join(self.returns)})"
        suffix = "" if overload == "default" else f".{overload}"
        return f"aten::{name}{suffix}({', '.join(params)}) -> {rets}"

    def normalize(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """``(args, kwargs)`` laid out as torch.export records them (see the module docstring)."""
        positional = self.positional
        if len(args) > len(positional):
            raise TypeError(f"{self.qualname} takes {len(positional)} positional arguments, got {len(args)}")
        if self.coerces:
            args = tuple(_coerce(a, v) if a.coercion and type(v) is not list else v
                         for a, v in zip(positional, args))
        keywords: dict = {}
        if kwargs:
            args, keywords = self._bind(args, kwargs)
        if len(args) < self.required:
            raise TypeError(f"{self.qualname} is missing argument {positional[len(args)].name!r}")
        n = len(args)
        while n and positional[n - 1].has_default and _is_default(positional[n - 1], args[n - 1]):
            n -= 1
        return (args if n == len(args) else args[:n]), keywords

    def _bind(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """Move arguments given by name into place: positional ones (gaps get their defaults)
        and keyword-only ones, in schema order, leaving out those equal to their defaults."""
        positional, values, given = self.positional, None, {}
        for name, value in kwargs.items():
            arg = self.by_name.get(name)
            if arg is None:
                raise TypeError(f"{self.qualname} has no argument {name!r}")
            if arg.coercion:
                value = _coerce(arg, value)
            if arg.kwarg_only:
                given[name] = value
                continue
            index = positional.index(arg)
            if index < len(args):
                raise TypeError(f"{self.qualname} got argument {name!r} twice")
            values = values or list(args)
            values.extend([NO_DEFAULT] * (index + 1 - len(values)))
            values[index] = value
        if values is not None:
            for i, value in enumerate(values):
                if value is NO_DEFAULT:
                    if not positional[i].has_default:
                        raise TypeError(f"{self.qualname} is missing argument {positional[i].name!r}")
                    values[i] = positional[i].default
            args = tuple(values)
        by_name, keywords = self.by_name, {}
        for name in self.keyword_order if len(given) > 1 else given:
            if name in given:
                value, arg = given[name], by_name[name]
                if not (arg.has_default and _is_default(arg, value)):
                    keywords[name] = value
        return args, keywords


def _default_text(value: Any) -> str:
    if isinstance(value, list):
        return f"[{', '.join(_default_text(v) for v in value)}]"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _coerce(arg: Arg, value: Any) -> Any:
    """``value`` as torch's argument parser passes it for ``arg``'s type (see :attr:`Arg.coercion`)."""
    if arg.coercion == "float":
        return float(value) if type(value) is int else value
    if isinstance(value, tuple):
        return list(value)
    if type(value) is int and arg.coercion != "list":
        return [value] * int(arg.coercion[4:])
    return value


def _is_default(arg: Arg, value: Any) -> bool:
    default = arg.default
    if default is None or value is None:
        return value is default
    if isinstance(default, list):
        return (isinstance(value, (list, tuple)) and len(value) == len(default)
                and all(type(v) is type(d) and v == d for v, d in zip(value, default)))
    if isinstance(default, str) and arg.base_type in _ENUM_TYPES:
        return getattr(value, "name", None) == default
    return type(value) is type(default) and value == default


# -- the table ------------------------------------------------------------------------------------
#: The data file, one op per line (``"cumsum.default": [args, returns]``), split into
#: name -> JSON text on first use; each op's JSON is parsed when it is first looked up.
_LINES: dict[str, str] | None = None
_HEADER: dict = {}
_SCHEMAS: dict[str, Schema | None] = {}


def _lines() -> dict[str, str]:
    global _LINES
    if _LINES is None:
        header, *body = DATA_FILE.read_text(encoding="utf-8").splitlines()
        _HEADER.update(json.loads(header.partition(', "ops"')[0] + "}"))
        lines = {}
        for line in body[:-1]:
            key, _, entry = line.partition(": ")
            lines[key[1:-1]] = entry.rstrip(",")
        _LINES = lines
    return _LINES


def _parse(qualname: str, entry: list) -> Schema:
    params, returns = entry
    args, kwarg_only = [], False
    for item in params:
        if item == "*":
            kwarg_only = True
            continue
        args.append(Arg(item[0], item[1], kwarg_only, item[2] if len(item) > 2 else NO_DEFAULT))
    return Schema(qualname, tuple(args), tuple(returns))


def schema(qualname: str) -> Schema | None:
    """The schema of ``qualname`` (``aten.cumsum.default``), or None when torch has none."""
    try:
        return _SCHEMAS[qualname]
    except KeyError:
        pass
    found = None
    if qualname.startswith("aten."):
        entry = _lines().get(qualname[5:])
        found = None if entry is None else _parse(qualname, json.loads(entry))
    _SCHEMAS[qualname] = found
    return found


def qualnames() -> list[str]:
    """Every overload in the table, ``aten.<name>.<overload>``, sorted."""
    return [f"aten.{key}" for key in _lines()]


def torch_version() -> str:
    """The torch version the data file was dumped from."""
    _lines()
    return _HEADER["torch"]


def unknown(qualname: str) -> str | None:
    """None when ``qualname`` needs no schema or has one; else a message with the closest names."""
    if not qualname.startswith("aten.") or schema(qualname) is not None:
        return None
    import difflib  # only for this message; importing it costs more than the rest of this module

    close = difflib.get_close_matches(qualname, qualnames(), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"{qualname} is not an ATen overload of torch 2.13{hint}"


def normalize(qualname: str, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``(args, kwargs)`` of a call to ``qualname`` laid out as torch.export 2.13 records the node;
    unchanged for ops without a schema and ops in :data:`AS_CALLED`."""
    if qualname in AS_CALLED:
        return args, kwargs
    found = schema(qualname)
    if found is None:
        return args, kwargs
    return found.normalize(args, kwargs)
