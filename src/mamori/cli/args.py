"""The command line's argument layer: one parser class for every command and sub-command.

:class:`Parser` is argparse with the rules of the rest of Mamori:

- **Every problem is an input error of the one model** (:class:`ArgumentsRefused`, an
  :class:`~mamori.errors.InvalidInput`): an unknown option (with the closest known one), an unknown
  command, a missing value or argument, a value not allowed, options that exclude each other. Each has a
  code of the message catalogue, so it is worded in the reader's language (``--lang``, honoured even when
  the arguments are wrong) and is JSON on stderr with ``--json``; argparse's own English never reaches a
  message, nor do internal names (``claim_command``).
- **A flag given twice is refused**, as a key given twice in a JSON object is: ``--revenue 500000000
  --revenue 80000000`` would otherwise quote the last one silently. Options meant to repeat
  (``action="append"``, ``"count"``, ``"extend"``) may; the shared options (``--json``, ``--lang``,
  ``--products``) count once whether given before or after the command's name.
- **Typed values are read by the rules of every other input**: ``type=args.integer`` (a whole number as
  :func:`mamori.rating.values.read_integer` reads it: ``1,000`` yes, ``1e3`` no) and ``type=args.date``
  (``YYYY-MM-DD``, the product's date range); a value that breaks the rule is the rule's own error.

A command plugs in by adding its parsers with ``sub.add_parser(..., parents=[shared])`` in its module's
``register(sub, shared)`` (:data:`mamori.cli.COMMANDS`): every parser argparse creates for it is a
:class:`Parser` (``parser_class`` is inherited by nested sub-commands through :func:`subcommands`).
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn

from mamori import i18n
from mamori.errors import FieldError, InvalidInput
from mamori.rating import values

__all__ = [
    "ArgumentsRefused",
    "Early",
    "Parser",
    "date",
    "early_options",
    "integer",
    "parsing",
    "subcommands",
]

#: Actions that may be given more than once: each occurrence adds to the value.
_REPEATABLE: Final = (argparse._AppendAction, argparse._AppendConstAction, argparse._CountAction)
#: argparse's own messages that reach :meth:`Parser.error` (the others are raised as codes directly).
_REQUIRED: Final = re.compile(r"^the following arguments are required: (?P<names>.+)$")
_ONE_OF: Final = re.compile(r"^one of the arguments (?P<names>.+) is required$")
_AMBIGUOUS: Final = re.compile(r"^ambiguous option: (?P<option>\S+?)(?:=\S*)? could match (?P<matches>.+)$")
_NOT_ALLOWED: Final = re.compile(r"^not allowed with argument (?P<other>.+)$")
_EXPLICIT: Final = re.compile(r"^ignored explicit argument (?P<value>.+)$")


class ArgumentsRefused(InvalidInput):
    """The command line itself is wrong. ``prog``: the command whose arguments they are (for its help)."""

    def __init__(self, errors: Sequence[FieldError], *, prog: str) -> None:
        super().__init__(errors)
        self.prog = prog


class _TypeRefused(ValueError):
    """A typed value broke its rule (raised by :func:`integer`, :func:`date`): the rule's code."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def integer(text: str) -> int:
    """``type=`` of a whole-number option, read as every whole number of Mamori is read."""
    read = values.read_integer(text)
    if isinstance(read, values.Failure):
        raise _TypeRefused(str(read))
    return read


def date(text: str) -> Any:
    """``type=`` of a date option (``YYYY-MM-DD``, or ``YYYY/M/D``), within the product's date range."""
    from mamori import calendar

    read = values.read_date(text)
    if isinstance(read, values.Failure):
        raise _TypeRefused(
            str(read), minimum=calendar.EARLIEST_DATE.isoformat(), maximum=calendar.LATEST_DATE.isoformat()
        )
    return read


# --------------------------------------------------------------------------------- the run's state


@dataclass
class _Run:
    """One parse of a command line, across the top parser and its sub-commands' parsers."""

    given: dict[str, tuple[str, str]] = field(default_factory=dict)  # dest → (option, value) first given
    deepest: Parser | None = None
    out: Any = None  # where help goes (the command's standard output)


_RUN: contextvars.ContextVar[_Run | None] = contextvars.ContextVar("mamori_cli_parse", default=None)


@contextlib.contextmanager
def parsing(*, out: Any) -> Iterator[None]:
    """The scope of one command line's parse: duplicate options are found across its parsers, and help
    goes to ``out``."""
    token = _RUN.set(_Run(out=out))
    try:
        yield
    finally:
        _RUN.reset(token)


@dataclass(frozen=True)
class Early:
    """What must be known before the arguments are parsed: the language and the output mode of errors."""

    lang: i18n.Lang | None
    as_json: bool


def early_options(argv: Sequence[str]) -> Early:
    """``--lang`` and ``--json`` read from the raw arguments, so that an argument error speaks the reader's
    language and is JSON when asked (the first valid ``--lang`` counts; ``--`` ends the options)."""
    lang: i18n.Lang | None = None
    as_json = False
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--json":
            as_json = True
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if lang is None and value in i18n.LANGS:
            lang = "en" if value == "en" else "ja"
    return Early(lang, as_json)


# ----------------------------------------------------------------------------------------- parser


def _field(action: argparse.Action) -> str:
    """The field an argument's problem names: the option's name (``revenue``), or a positional's (``BOOK``)."""
    if action.option_strings:
        return str(action.dest)
    return str(action.metavar or action.dest).upper() if isinstance(action.metavar, str | None) else str(action.dest)


def _option(action: argparse.Action) -> str:
    """How the reader wrote (or would write) the argument: its longest option string, or its metavar."""
    if action.option_strings:
        return max(action.option_strings, key=len)
    return _field(action)


def subcommands(parser: argparse.ArgumentParser, *, dest: str, title: str = "commands") -> Any:
    """Sub-commands of ``parser`` whose parsers are :class:`Parser` too (required: one must be given)."""
    return parser.add_subparsers(dest=dest, required=True, parser_class=Parser, title=title, metavar="COMMAND")


class Parser(argparse.ArgumentParser):
    """argparse whose every problem is an :class:`ArgumentsRefused` (see the module's notes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("exit_on_error", False)
        super().__init__(*args, **kwargs)

    # -------------------------------------------------------------------------- entry points

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        run = _RUN.get()
        scope = contextlib.nullcontext() if run is not None else parsing(out=None)
        with scope:
            parsed, extras = self.parse_known_args(args, namespace)
            if extras:
                self._unrecognised(extras)
            return parsed

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        run = _RUN.get()
        if run is not None:
            run.deepest = self
        try:
            return super().parse_known_args(args, namespace)
        except argparse.ArgumentError as exc:
            raise self._from_argparse(exc.argument_name, exc.message) from None

    def error(self, message: str) -> NoReturn:
        """argparse's own complaints: each mapped to a code; anything else a generic, catalogued one."""
        raise self._refusal_of(message)

    # --------------------------------------------------------------------- argparse's hooks

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        run = _RUN.get()
        if run is not None and action.option_strings and not isinstance(action, _REPEATABLE):
            written = " ".join(arg_strings)
            first = run.given.get(action.dest)
            if first is not None:
                option = first[0]
                params = {"option": option, "first": first[1], "value": written}
                raise self._refused(action.dest, "E_OPTION_TWICE", params)
            run.given[action.dest] = (_option(action), written)
        return super()._get_values(action, arg_strings)

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        type_func: Any = self._registry_get("type", action.type, action.type)
        if not callable(type_func):
            return super()._get_value(action, arg_string)
        try:
            return type_func(arg_string)
        except _TypeRefused as exc:
            params = {"value": arg_string, "option": _option(action), **exc.params}
            raise self._refused(_field(action), exc.code, params) from None
        except (TypeError, ValueError, argparse.ArgumentTypeError):
            params = {"value": arg_string, "option": _option(action)}
            raise self._refused(_field(action), "E_OPTION_VALUE", params) from None

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is None or value in choices:
            return
        allowed = [str(c) for c in choices]
        close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.6)
        params = {
            "value": value,
            "allowed": allowed,
            "suggestion": close[0] if close else "",
            "option": _option(action),
        }
        if isinstance(action, argparse._SubParsersAction):
            raise self._refused("COMMAND", "E_COMMAND_UNKNOWN", params)
        raise self._refused(_field(action), "E_CHOICE", params)

    def _match_argument(self, action: argparse.Action, arg_strings_pattern: str) -> int:
        try:
            return int(super()._match_argument(action, arg_strings_pattern))
        except argparse.ArgumentError:
            raise self._refused(_field(action), "E_OPTION_NO_VALUE", {"option": _option(action)}) from None

    def print_help(self, file: Any = None) -> None:
        run = _RUN.get()
        super().print_help(file if file is not None else (run.out if run is not None else None))

    def print_usage(self, file: Any = None) -> None:
        run = _RUN.get()
        super().print_usage(file if file is not None else (run.out if run is not None else None))

    # ----------------------------------------------------------------------------- problems

    def _refused(self, field_name: str, code: str, params: dict[str, Any]) -> ArgumentsRefused:
        return ArgumentsRefused([FieldError(field_name, code, params)], prog=self.prog)

    def _options(self) -> list[str]:
        return sorted({s for s in self._option_string_actions if s.startswith("--")})

    def _unrecognised(self, extras: Sequence[str]) -> NoReturn:
        run = _RUN.get()
        parser = run.deepest if run is not None and run.deepest is not None else self
        errors = []
        after_unknown = False  # the word after an unknown option is taken as its value, not reported again
        for extra in extras:
            if after_unknown and not extra.startswith("-"):
                after_unknown = False
                continue
            after_unknown = extra.startswith("--") and "=" not in extra
            if extra.startswith("-") and len(extra) > 1 and not _is_number(extra):
                name = extra.split("=", 1)[0]
                known = parser._options()
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                params = {"value": name, "allowed": known, "suggestion": close[0] if close else ""}
                errors.append(FieldError(name, "E_OPTION_UNKNOWN", params))
            else:
                errors.append(FieldError("ARGUMENTS", "E_ARGUMENT_EXTRA", {"value": extra}))
        raise ArgumentsRefused(errors, prog=parser.prog)

    def _action_named(self, name: str) -> argparse.Action | None:
        for action in self._actions:
            names = [*action.option_strings, str(action.dest), str(action.metavar)]
            if name in names or name == argparse._get_action_name(action):
                return action
        return None

    def _from_argparse(self, argument: str | None, message: str) -> ArgumentsRefused:
        action = self._action_named(argument) if argument else None
        option = _option(action) if action is not None else (argument or "")
        field_name = _field(action) if action is not None else (argument or "ARGUMENTS")
        other = _NOT_ALLOWED.match(message)
        if other:
            return self._refused(field_name, "E_OPTION_CONFLICT", {"option": option, "other": other["other"]})
        explicit = _EXPLICIT.match(message)
        if explicit:
            value = explicit["value"].strip("'\"")
            return self._refused(field_name, "E_OPTION_TAKES_NO_VALUE", {"option": option, "value": value})
        if message.startswith("expected"):
            return self._refused(field_name, "E_OPTION_NO_VALUE", {"option": option})
        return self._refused(field_name, "E_ARGUMENTS", {"detail": f"{option}: {message}" if option else message})

    def _refusal_of(self, message: str) -> ArgumentsRefused:
        required = _REQUIRED.match(message)
        if required:
            return ArgumentsRefused(
                [self._missing(name.strip()) for name in required["names"].split(", ")], prog=self.prog
            )
        one_of = _ONE_OF.match(message)
        if one_of:
            return self._refused("ARGUMENTS", "E_ONE_OF_REQUIRED", {"allowed": one_of["names"].split()})
        ambiguous = _AMBIGUOUS.match(message)
        if ambiguous:
            matches = [m.strip() for m in ambiguous["matches"].split(",")]
            return self._refused(
                ambiguous["option"], "E_OPTION_AMBIGUOUS", {"value": ambiguous["option"], "allowed": matches}
            )
        argument = re.match(r"^argument (?P<name>[^:]+): (?P<message>.*)$", message, re.DOTALL)
        if argument:
            return self._from_argparse(argument["name"], argument["message"])
        return self._refused("ARGUMENTS", "E_ARGUMENTS", {"detail": message})

    def _missing(self, name: str) -> FieldError:
        action = self._action_named(name)
        if isinstance(action, argparse._SubParsersAction):
            return FieldError("COMMAND", "E_COMMAND_REQUIRED", {"allowed": list(action.choices or ())})
        if action is None:
            return FieldError(name, "E_ARGUMENT_REQUIRED", {"option": name})
        return FieldError(_field(action), "E_ARGUMENT_REQUIRED", {"option": _option(action)})


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-[0-9][0-9,._]*(?:\.[0-9]+)?", text))
