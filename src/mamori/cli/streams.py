"""The command line's standard streams, made safe once for every command.

- **Output** (:class:`Output`): what a command prints goes through one of two of these, ``ctx.out`` and
  ``ctx.err``. Readable text is written with terminal control characters neutralised (``\\u001b`` instead
  of an escape sequence that a CSV cell or a cost id could carry), so that untrusted text can never move
  the cursor, rewrite a line or change a terminal's title. Standard output that is closed, full or
  otherwise unwritable ends the run with :class:`OutputFailed` (exit status 2, a message on stderr);
  standard error that fails is ignored (there is nobody left to tell), and the exit status stays the
  one the command decided. A reader that leaves (``mamori … | head``) ends the run quietly, as before.
- **Input** (:func:`opened`, :func:`read_bytes`): a FILE argument, or ``-`` for standard input; a closed
  standard input, a missing file, a folder, a file that cannot be read are input errors naming the
  argument, with the problem in the reader's language.
- **Language** (:func:`can_show_japanese`): a terminal whose encoding cannot show Japanese gets English
  rather than escapes; :func:`prepare` makes such a terminal show what it can (ASCII look-alikes for
  punctuation, escapes only as a last resort) instead of failing half-way.

A new command gets all of this by writing to ``ctx.out`` and ``ctx.err`` and reading its files with
:func:`opened` or :func:`read_bytes`.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any, Final, TextIO, TypeVar, cast

from mamori.errors import FieldError, InvalidInput, Problem

__all__ = [
    "BinaryOutput",
    "Output",
    "OutputFailed",
    "can_show_japanese",
    "is_utf8",
    "neutralise",
    "neutralise_bytes",
    "opened",
    "prepare",
    "read_bytes",
    "silence_stdout",
]

T = TypeVar("T")

#: Characters a terminal acts on: C0 controls but tab and newline, DEL, C1 controls (U+009B is a CSI),
#: and the bidirectional marks, overrides and isolates that reorder what is shown.
_UNSAFE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BYTES: Final = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
#: ASCII look-alikes for the punctuation of readable output, on a terminal that cannot show it.
_ASCII: Final = {
    "–": "-", "—": "-", "―": "-", "−": "-", "…": "...", "×": "x", "・": "-", "“": '"', "”": '"', "‘": "'",
    "’": "'", "¥": "JPY ", "〜": "~", "～": "~", "（": "(", "）": ")", "：": ":", "、": ", ", "。": ". ", "■": "#",
    "→": "->", "≥": ">=", "≤": "<=", "　": " ", "／": "/", "＋": "+",
}  # fmt: skip
_ERRORS: Final = "mamori-terminal"
_JAPANESE_PROBE: Final = "日本語の表示"


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def neutralise(text: str) -> str:
    """``text`` with every character a terminal would act on written as a visible ``\\uXXXX`` escape.

    Newlines and tabs stay. The escape is also a valid JSON escape, so JSON text stays JSON.
    """
    return _UNSAFE.sub(_escape, text)


def _escape_bytes(match: re.Match[bytes]) -> bytes:
    return f"\\u{ord(match.group().decode('utf-8')):04x}".encode()


def neutralise_bytes(data: bytes) -> bytes:
    """:func:`neutralise` for UTF-8 bytes (a block may end inside a character: only whole ones match)."""
    return _UNSAFE_BYTES.sub(_escape_bytes, data)


def _terminal_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    part = exc.object[exc.start : exc.end]
    return "".join(_ASCII.get(c) or c.encode("ascii", "backslashreplace").decode() for c in part), exc.end


codecs.register_error(_ERRORS, _terminal_errors)


def is_utf8(stream: Any) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True  # an in-memory stream takes any text
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def can_show_japanese(stream: Any) -> bool:
    """Whether text written to ``stream`` can carry Japanese (UTF-8, Shift_JIS, EUC-JP… or in memory)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    try:
        _JAPANESE_PROBE.encode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def prepare(stream: TextIO | None) -> TextIO | None:
    """A terminal that cannot show every character gets a look-alike or an escape instead of an exception."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and not is_utf8(stream):
        with contextlib.suppress(OSError, ValueError):
            reconfigure(errors=_ERRORS)
    return stream


# ------------------------------------------------------------------------------------------ output


class OutputFailed(Exception):
    """Standard output could not be written (closed, the disk full, …): the run ends with exit status 2."""

    def __init__(self, name: str, problem: Problem) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


class Output:
    """A standard stream of a command (see the module's notes). ``required``: a failure to write ends the
    run (standard output); otherwise it is ignored (standard error)."""

    def __init__(self, stream: TextIO | None, *, name: str, required: bool) -> None:
        self._stream = prepare(stream)
        self.name = name
        self.required = required
        self.failed: Problem | None = None
        self.encoding: str | None = getattr(stream, "encoding", None)

    @property
    def stream(self) -> TextIO | None:
        """The stream underneath (None when it was closed before the command started)."""
        return self._stream

    def write(self, text: str) -> int:
        """Write readable text, control characters neutralised."""
        self._call(self._write, neutralise(text))
        return len(text)

    def write_control(self, text: str) -> None:
        """Write the command's own control characters (a progress bar's carriage return), never untrusted text."""
        self._call(self._write, text)

    def flush(self) -> None:
        if self._stream is not None and self.failed is None:
            self._call(self._stream.flush)

    def isatty(self) -> bool:
        try:
            return bool(self._stream is not None and self._stream.isatty())
        except (OSError, ValueError):
            return False

    @property
    def buffer(self) -> BinaryOutput | None:
        """The bytes under the text (UTF-8 answers written as they are made), when there is such a buffer."""
        raw: IO[bytes] | None = getattr(self._stream, "buffer", None)
        if raw is None:
            return None
        return BinaryOutput(self, raw, neutral=self.isatty())

    def _write(self, text: str) -> None:
        if self._stream is None:
            raise OSError(9, "closed")  # EBADF: closed before the command started
        self._stream.write(text)

    def _call(self, fn: Callable[..., T], *args: Any) -> T | None:
        if self.failed is not None:
            if self.required:
                raise OutputFailed(self.name, self.failed)
            return None
        try:
            return fn(*args)
        except BrokenPipeError:
            if self.required:
                raise  # the reader left: the run ends quietly (main)
            self.failed = Problem("P_CLOSED")
        except OSError as exc:
            self.failed = Problem.of_os_error(exc)
        except ValueError:  # "I/O operation on closed file"
            self.failed = Problem("P_CLOSED")
        if self.required:
            raise OutputFailed(self.name, self.failed)
        return None


class BinaryOutput:
    """The binary buffer of an :class:`Output`: the same failure rules; on a terminal, the same
    neutralising (to a file or a pipe the bytes go as they are, by ``sendfile`` where possible)."""

    def __init__(self, owner: Output, raw: IO[bytes], *, neutral: bool) -> None:
        self._owner = owner
        self._raw = raw
        self._neutral = neutral
        if not neutral:
            self.fileno = raw.fileno  # lets a batch copy its answers by sendfile

    def write(self, data: bytes) -> int:
        self._owner._call(self._raw.write, neutralise_bytes(data) if self._neutral else data)
        return len(data)

    def flush(self) -> None:
        self._owner._call(self._raw.flush)


def silence_stdout() -> None:
    """Point the process's standard output at the null device, so that the interpreter's last flush of
    what could not be written does not fail again (with a traceback) at exit."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError):
        pass


# ------------------------------------------------------------------------------------------- input


def _file_error(field: str, path: str, exc: OSError) -> InvalidInput:
    if isinstance(exc, FileNotFoundError):
        return InvalidInput([FieldError(field, "E_FILE_NOT_FOUND", {"path": path})])
    return InvalidInput([FieldError(field, "E_FILE", {"path": path, "problem": Problem.of_os_error(exc)})])


def _stdin(field: str) -> IO[bytes]:
    stream: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InvalidInput([FieldError(field, "E_STDIN_CLOSED", {"path": "-"})])
    return stream


class _Reading:
    """A binary input whose read failures are input errors naming the argument (not a crash)."""

    def __init__(self, stream: IO[bytes], field: str, path: str) -> None:
        self._stream = stream
        self._field = field
        self._path = path

    def _failed(self, exc: OSError | ValueError) -> InvalidInput:
        cause = exc if isinstance(exc, OSError) else OSError(9, "closed")  # ValueError: closed meanwhile
        return _file_error(self._field, self._path, cause)

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except (OSError, ValueError) as exc:
            raise self._failed(exc) from None

    def readline(self, size: int = -1) -> bytes:
        try:
            return self._stream.readline(size)
        except (OSError, ValueError) as exc:
            raise self._failed(exc) from None

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


@contextlib.contextmanager
def opened(path: str, *, field: str = "FILE") -> Iterator[IO[bytes]]:
    """FILE opened for reading, or standard input for ``-``; InvalidInput naming ``field`` when it cannot be
    opened or read (a closed standard input, a missing file, a folder, an I/O error while reading)."""
    if path == "-":
        stream = _stdin(field)
    else:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed below; opening errors are input errors
        except OSError as exc:
            raise _file_error(field, path, exc) from None
    try:
        yield cast(IO[bytes], _Reading(stream, field, path))
    finally:
        if path != "-":
            stream.close()


def read_bytes(path: str, *, field: str = "FILE") -> bytes:
    """The whole of FILE (or standard input for ``-``)."""
    with opened(path, field=field) as stream:
        return stream.read()
