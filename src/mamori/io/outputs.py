"""Where commands write: an output file or an output folder, checked before any work, written atomically.

- :func:`check_file` — a file a command will write (``quote-batch`` OUT, ``jobs export-book`` FILE): refused
  before the work when it cannot be written (a missing folder, a folder, a dangling link, a named pipe, no
  permission, a read-only place — tried for real with a probe file, removed at once). A symbolic link to a
  file writes that file (the link stays a link). Returns the path to write.
- :func:`check_folder` — a folder a command will fill (``--out DIR``, ``export-oed DIR``): an existing folder
  (or a link to one), or a new one that can be created there (tried, then removed). Returns the path to use.
- :class:`FolderWriter` — the files of one run into a checked folder: each written to a hidden temporary
  name, all renamed into place only when every one is complete; on any failure (the disk full) the
  temporary files are removed, and so is the folder when this run created it: nothing is written.
- :func:`write_file` — one file, atomically (a new file in the same folder, renamed over the target).

Every refusal is an :class:`~mamori.errors.InvalidInput` naming the argument (``field``), the path and the
problem (:class:`~mamori.errors.Problem`, worded in the reader's language).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final

from mamori.errors import FieldError, InvalidInput, Problem

__all__ = ["ENCODINGS", "FolderWriter", "check_file", "check_folder", "refused", "write_file"]

#: The text encodings a CSV may be read in (``auto``: UTF-8, else Shift_JIS/cp932 or EUC-JP when certain).
#: Here, beside the other file rules, so that the command line offers them without loading pyarrow.
ENCODINGS: Final = ("auto", "utf-8", "utf-8-sig", "cp932", "shift_jis", "euc-jp")


def refused(field: str, path: Path | str, problem: Problem) -> InvalidInput:
    return InvalidInput([FieldError(field, "E_OUTPUT", {"path": str(path), "problem": problem})])


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _probe(folder: Path, field: str, shown: Path) -> None:
    """Create and remove a file in ``folder``: the only sure test that it can be written (not os.access,
    which root passes everywhere, and which knows nothing of read-only or special file systems)."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".mamori-probe-")
    except OSError as exc:
        problem = Problem("P_CANNOT_CREATE") if isinstance(exc, FileNotFoundError) else Problem.of_os_error(exc)
        raise refused(field, shown, problem) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


def _link_target(path: Path, field: str) -> Path:
    """``path``, or the file a symbolic link at ``path`` points to (refused when it points nowhere)."""
    if not path.is_symlink():
        return path
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise refused(field, path, Problem("P_DANGLING_LINK", {"target": os.readlink(path)})) from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links
        problem = Problem.of_os_error(exc) if isinstance(exc, OSError) else Problem("P_LINK_LOOP")
        raise refused(field, path, problem) from None
    return target


def check_file(path: Path, *, field: str = "OUT") -> Path:
    """The file to write for ``path`` (see the module's notes); nothing is left behind."""
    target = _link_target(path, field)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise refused(field, path, Problem.of_os_error(exc)) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise refused(field, path, Problem("P_IS_FOLDER"))
    if mode is not None and stat.S_ISFIFO(mode):
        raise refused(field, path, Problem("P_FIFO"))
    if mode is not None and not stat.S_ISREG(mode):
        raise refused(field, path, Problem("P_SPECIAL"))
    parent = _parent(target)
    if not parent.is_dir():
        problem = Problem("P_NOT_A_FOLDER") if parent.exists() else Problem("P_FOLDER_MISSING", {"folder": str(parent)})
        raise refused(field, path, problem)
    _probe(parent, field, path)
    return target


def check_folder(path: Path, *, field: str = "out") -> Path:
    """The folder to fill for ``path`` (see the module's notes); nothing is left behind."""
    folder = _link_target(path, field)
    if folder.exists():
        if not folder.is_dir():
            raise refused(field, path, Problem("P_FILE_NOT_FOLDER"))
        _probe(folder, field, path)
        return folder
    parent = _parent(folder)
    if not parent.is_dir():
        problem = Problem("P_NOT_A_FOLDER") if parent.exists() else Problem("P_FOLDER_MISSING", {"folder": str(parent)})
        raise refused(field, path, problem)
    try:
        folder.mkdir()
    except OSError as exc:  # a folder that exists and yet refuses (/proc): not "not found"
        problem = Problem("P_CANNOT_CREATE") if isinstance(exc, FileNotFoundError) else Problem.of_os_error(exc)
        raise refused(field, path, problem) from None
    try:
        _probe(folder, field, path)
    finally:
        with contextlib.suppress(OSError):
            folder.rmdir()
    return folder


def _temporary(folder: Path, name: str) -> Path:
    return folder / f".{name}.{secrets.token_hex(6)}.part"


def _write_to(tmp: Path, write: Callable[[IO[bytes]], Any]) -> None:
    # O_EXCL: never an existing file; mode 0o666 so that the umask decides the permissions.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as sink:
        write(sink)
        sink.flush()
        os.fsync(sink.fileno())


def write_file(path: Path, write: Callable[[IO[bytes]], Any], *, field: str = "OUT") -> None:
    """Write ``path`` atomically with ``write(binary_file)``: a new file in the same folder, renamed over the
    target (a link's target) only when complete; on failure the target is untouched and nothing is left."""
    target = check_file(path, field=field)
    tmp = _temporary(_parent(target), target.name)
    try:
        _write_to(tmp, write)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise refused(field, path, Problem.of_os_error(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class FolderWriter:
    """The files of one run into a folder (see the module's notes)::

        with FolderWriter(check_folder(out, field="out"), field="out") as folder:
            folder.write("summary.json", lambda sink: sink.write(data))

    ``paths`` maps each name written to its path (as a string). ``failed`` turns an exception raised while
    writing into the one to raise (an InvalidInput naming the folder), or None to raise it as it is.
    """

    def __init__(self, folder: Path, *, field: str = "out") -> None:
        self.folder = folder
        self.field = field
        self.paths: dict[str, str] = {}
        self._pending: list[tuple[Path, Path]] = []
        self._created = False

    def __enter__(self) -> FolderWriter:
        if not self.folder.exists():
            try:
                self.folder.mkdir()
            except OSError as exc:
                raise refused(self.field, self.folder, Problem.of_os_error(exc)) from None
            self._created = True
        return self

    def write(self, name: str, write: Callable[[IO[bytes]], Any]) -> str:
        """Write the file ``name`` of the folder with ``write(binary_file)`` (in place at the end)."""
        tmp = _temporary(self.folder, name)
        self._pending.append((tmp, self.folder / name))
        try:
            _write_to(tmp, write)
        except OSError as exc:
            raise refused(self.field, self.folder / name, Problem.of_os_error(exc)) from None
        self.paths[name] = str(self.folder / name)
        return self.paths[name]

    def write_bytes(self, name: str, data: bytes) -> str:
        return self.write(name, lambda sink: sink.write(data))

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            try:
                for tmp, final in self._pending:
                    os.replace(tmp, final)
            except OSError as exc:
                self._discard()
                raise refused(self.field, self.folder, Problem.of_os_error(exc)) from None
            return
        self._discard()

    def _discard(self) -> None:
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if self._created:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # only when empty: a file someone else put there is never removed
