"""The argument layer of every command (:mod:`mamori.cli.args`): argparse's complaints as catalogued input
errors, a flag given twice refused, typed values read by Mamori's rules — for any parser built with it, as a
command added later would be."""

from __future__ import annotations

import io

import pytest

from mamori.cli import args
from mamori.errors import InvalidInput


def parser() -> args.Parser:
    """A command line of the shape a new command has: shared options, a group, a sub-command."""
    top = args.Parser(prog="tool")
    top.add_argument("--json", action="store_true")
    commands = args.subcommands(top, dest="command")
    books = commands.add_parser("books")
    nested = args.subcommands(books, dest="books_command")
    close = nested.add_parser("close")
    close.add_argument("--as-of", dest="as_of", type=args.date, required=True)
    close.add_argument("--json", action="store_true", default=argparse_suppress())
    close.add_argument("--period", choices=["quarter", "year"])
    close.add_argument("--tag", action="append")
    close.add_argument("--count", type=args.integer)
    close.add_argument("out", metavar="OUT")
    return top


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS


def refused(*argv: str) -> args.ArgumentsRefused:
    with args.parsing(out=io.StringIO()), pytest.raises(args.ArgumentsRefused) as caught:
        parser().parse_args(list(argv))
    return caught.value


def codes(error: InvalidInput) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in error.errors]


def test_a_nested_command_s_parser_is_the_same_parser_class() -> None:
    found = refused("books", "close", "x.csv", "--as-of", "2026-01-01", "--period", "month")
    assert codes(found) == [("period", "E_CHOICE")]
    assert found.prog == "tool books close"
    assert found.errors[0].message("en") == "period: month is not allowed. Allowed values: quarter, year"


def test_an_option_given_twice_is_refused_and_one_meant_to_repeat_is_not() -> None:
    found = refused("books", "close", "x", "--as-of", "2026-01-01", "--as-of", "2026-02-01")
    assert codes(found) == [("as_of", "E_OPTION_TWICE")]
    assert found.errors[0].params == {"option": "--as-of", "first": "2026-01-01", "value": "2026-02-01"}
    with args.parsing(out=io.StringIO()):
        parsed = parser().parse_args(["books", "close", "x", "--as-of", "2026-01-01", "--tag", "a", "--tag", "b"])
    assert parsed.tag == ["a", "b"]


def test_an_abbreviated_option_given_with_the_full_one_is_the_same_option_twice() -> None:
    found = refused("books", "close", "x", "--as-of", "2026-01-01", "--cou", "1", "--count", "2")
    assert codes(found) == [("count", "E_OPTION_TWICE")]


def test_a_shared_option_before_and_after_the_command_counts_twice() -> None:
    found = refused("--json", "books", "close", "x", "--as-of", "2026-01-01", "--json")
    assert codes(found) == [("json", "E_OPTION_TWICE")]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ((), [("COMMAND", "E_COMMAND_REQUIRED")]),
        (("book",), [("COMMAND", "E_COMMAND_UNKNOWN")]),
        (("books",), [("COMMAND", "E_COMMAND_REQUIRED")]),
        (("books", "close"), [("as_of", "E_ARGUMENT_REQUIRED"), ("OUT", "E_ARGUMENT_REQUIRED")]),
        (("books", "close", "x", "--as-of"), [("as_of", "E_OPTION_NO_VALUE")]),
        (("books", "close", "x", "--as-of", "2026-02-30"), [("as_of", "E_DATE")]),
        (("books", "close", "x", "--as-of", "2026-01-01", "--count", "1e3"), [("count", "E_INTEGER")]),
        (("books", "close", "x", "--as-of", "2026-01-01", "--json=yes"), [("json", "E_OPTION_TAKES_NO_VALUE")]),
        (("books", "close", "x", "--as-of", "2026-01-01", "--perod", "year"), [("--perod", "E_OPTION_UNKNOWN")]),
        (("books", "close", "x", "y", "--as-of", "2026-01-01"), [("ARGUMENTS", "E_ARGUMENT_EXTRA")]),
    ],
)
def test_every_complaint_of_argparse_is_a_catalogued_input_error(
    argv: tuple[str, ...], expected: list[tuple[str, str]]
) -> None:
    found = refused(*argv)
    assert codes(found) == expected
    for error in found.errors:
        assert error.message("ja") and error.message("en")
        assert "usage" not in error.message("ja")


def test_an_unknown_option_is_named_with_the_closest_known_one() -> None:
    found = refused("books", "close", "x", "--as-of", "2026-01-01", "--perod", "year")
    assert found.errors[0].message("en").startswith("There is no option --perod. Did you mean --period?")


def test_whole_numbers_are_read_as_everywhere_else() -> None:
    assert args.integer("1,000") == 1000
    assert args.integer("１２") == 12
    for text in ("1e3", "1.5", "500,00", ""):
        with pytest.raises(ValueError, match="E_INTEGER"):
            args.integer(text)


@pytest.mark.parametrize(
    ("argv", "lang", "as_json"),
    [
        (["quote", "--lang", "en"], "en", False),
        (["--lang=en", "--json", "quote"], "en", True),
        (["quote", "--lang", "fr", "--lang", "en"], "en", False),
        (["quote", "--", "--lang", "en"], None, False),
        (["quote", "--industry", "x"], None, False),
    ],
)
def test_the_language_and_json_are_known_before_the_arguments_are_parsed(
    argv: list[str], lang: str | None, as_json: bool
) -> None:
    assert args.early_options(argv) == args.Early(lang, as_json)  # type: ignore[arg-type]


def test_help_goes_to_the_command_s_standard_output() -> None:
    out = io.StringIO()
    with args.parsing(out=out), pytest.raises(SystemExit) as caught:
        parser().parse_args(["books", "close", "--help"])
    assert caught.value.code == 0
    assert "--as-of" in out.getvalue()
