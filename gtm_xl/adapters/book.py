"""The small workbook interface the ribbon actions work through: live Excel or a file on disk.

Two implementations of one protocol, :class:`Book`:

* :class:`LiveBook` — the workbook the user is looking at, through xlwings
  (``xw.Book.caller()`` when a ribbon button runs Python with ``RunPython``). Messages go to
  Excel's status bar and message boxes.
* :class:`FileBook` — a workbook file on disk, read with openpyxl; messages are collected in
  :attr:`FileBook.messages`. This is how every action is tested headlessly, and how the same
  actions run from scripts.

Both answer the questions the actions ask (where is the file, is it saved, what do its defined
names hold) and both report the same way. Changes to a workbook go through one place per
implementation: ``FileBook`` rewrites its file atomically (temp file beside it, then rename), and
the actions compute everything before they write, so an error leaves the workbook as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from gtm_xl.excel.ooxml import names

__all__ = ["Book", "FileBook", "LiveBook", "caller", "BookError"]


class BookError(RuntimeError):
    """The workbook cannot do what an action needs (unsaved, missing name); the message says why."""


class Book(Protocol):
    """What a ribbon action may ask of a workbook."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path | None:
        """The file on disk, or None for a workbook never saved."""

    @property
    def saved(self) -> bool:
        """True when the file on disk holds everything the user sees (no unsaved changes)."""

    def defined_names(self) -> dict[str, str]:
        """Workbook-level defined names (upper case) → what they refer to (``Sheet!$A$1:$B$2``)."""

    def value(self, name: str) -> Any:
        """The value(s) of a defined name: a scalar for one cell, else a list of rows."""

    def calculate(self) -> None:
        """Recalculate every formula (Excel: a full calculation; a file: nothing to do)."""

    def reload(self) -> None:
        """Forget what was read: the file on disk changed (after a headless refresh)."""

    def status(self, text: str) -> None:
        """A short note in the status bar."""

    def message(self, text: str, title: str = "GTM") -> None:
        """A message the user must read (a message box)."""

    def open_file(self, path: Path) -> None:
        """Show another workbook file to the user (Excel opens it; a file book records it)."""


# --- a file on disk ---------------------------------------------------------------------------
@dataclass
class FileBook:
    """A workbook file, read with openpyxl (values are the cached results the file holds)."""

    file: Path
    messages: list[tuple[str, str]] = field(default_factory=list)  # (kind, text): status/message
    opened: list[Path] = field(default_factory=list)
    _values: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.file = Path(self.file)
        if not self.file.is_file():
            raise BookError(f"{self.file}: no such workbook")

    @property
    def name(self) -> str:
        return self.file.name

    @property
    def path(self) -> Path | None:
        return self.file

    @property
    def saved(self) -> bool:
        return True

    def _workbook(self):
        if self._values is None:
            import openpyxl  # on use: the live-Excel path never needs it

            try:
                self._values = openpyxl.load_workbook(
                    self.file, data_only=True, keep_vba=self.file.suffix.lower() == ".xlsm"
                )
            except Exception as exc:  # openpyxl raises many kinds for a broken file
                raise BookError(f"{self.file}: cannot read the workbook ({exc})") from exc
        return self._values

    def defined_names(self) -> dict[str, str]:
        wb = self._workbook()
        return {name.upper(): dn.attr_text for name, dn in wb.defined_names.items()}

    def value(self, name: str) -> Any:
        wb = self._workbook()
        dn = wb.defined_names.get(name) or next(
            (d for n, d in wb.defined_names.items() if n.upper() == name.upper()), None
        )
        if dn is None:
            raise BookError(f"{self.file.name}: no defined name {name}")
        where = names.area(dn.attr_text)
        if where is None or where.sheet is None:
            raise BookError(f"{self.file.name}: name {name} does not refer to one range")
        if where.sheet not in wb.sheetnames:
            raise BookError(f"{self.file.name}: name {name} refers to a missing sheet {where.sheet}")
        ws = wb[where.sheet]
        if where.is_cell:
            return ws.cell(where.min_row, where.min_col).value
        return [
            [ws.cell(r, c).value for c in range(where.min_col, where.max_col + 1)]
            for r in range(where.min_row, where.max_row + 1)
        ]

    def calculate(self) -> None:
        return None

    def reload(self) -> None:
        self._values = None

    def status(self, text: str) -> None:
        self.messages.append(("status", text))

    def message(self, text: str, title: str = "GTM") -> None:
        self.messages.append(("message", text))

    def open_file(self, path: Path) -> None:
        self.opened.append(Path(path))


# --- live Excel through xlwings ---------------------------------------------------------------
class LiveBook:
    """The caller's workbook in Excel (``xw.Book.caller()``)."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def name(self) -> str:
        return self.book.name

    @property
    def path(self) -> Path | None:
        full = self.book.fullname
        return Path(full) if full and os.path.isabs(full) and os.path.exists(full) else None

    @property
    def saved(self) -> bool:
        return self.path is not None and bool(self.book.api.Saved)

    def defined_names(self) -> dict[str, str]:
        return {n.name.upper(): n.refers_to.lstrip("=") for n in self.book.names}

    def value(self, name: str) -> Any:
        try:
            rng = self.book.names[name].refers_to_range
        except Exception as exc:
            raise BookError(f"{self.book.name}: no defined name {name}") from exc
        return rng.options(ndim=2).value if rng.count > 1 else rng.value

    def calculate(self) -> None:
        self.book.app.api.CalculateFull()

    def reload(self) -> None:
        """Reopen the workbook from disk after a headless job rewrote the file."""
        path, app = self.path, self.book.app
        if path is None:
            return
        self.book.close()
        self.book = app.books.open(str(path))

    def status(self, text: str) -> None:
        self.book.app.status_bar = text

    def message(self, text: str, title: str = "GTM") -> None:
        self.book.app.alert(text, title=title)

    def open_file(self, path: Path) -> None:
        self.book.app.books.open(str(path))


def caller() -> LiveBook:
    """The workbook that called Python from Excel (a ribbon button's ``RunPython``)."""
    import xlwings as xw  # on use: only a button in Excel has a caller; headless runs never load xlwings

    return LiveBook(xw.Book.caller())


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem (2).suffix``, ``(3)``… — never an existing file."""
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({n}){suffix}"
        n += 1
    return candidate
