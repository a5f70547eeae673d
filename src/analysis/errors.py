"""Errors that are the user's to fix.

The command line turns a :class:`UserError` into one line on standard error and exit status 2,
never a traceback. Messages name the file, and where it applies the row and column.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input or a bad request: reported as one clear line, exit status 2."""

    exit_code = 2


class InputFileError(UserError):
    """A problem with one input file, located as precisely as possible.

    Examples
    --------
    >>> str(InputFileError("export.csv", "required column 'utleiertype' is missing"))
    "export.csv: required column 'utleiertype' is missing"
    >>> str(InputFileError("export.csv", "code 7 is out of range", row=12, column="komp.mote"))
    'export.csv, row 12, column komp.mote: code 7 is out of range'
    """

    def __init__(
        self, path: str | Path, problem: str, *, row: int | None = None, column: str | None = None
    ):
        self.path = str(path)
        self.problem = problem
        self.row = row
        self.column = column
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {problem}")
