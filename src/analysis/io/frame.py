"""The municipality frame: every municipality with its county, population and size class.

A frame file is a CSV in the layout of Statistics Norway's register as the project receives it::

    kommunenummer,kommune,fylkesnummer,fylke,population_2022
    0301,Oslo,03,Oslo,699827

Codes are text with their leading zeros; the year of the population count is part of the
population column's name and is kept in ``frame.attrs["year"]``. :func:`load_frame` validates
the file and adds the size class ``storrelse`` (:data:`analysis.instrument.codebook.SIZE_CLASSES`);
:func:`frame_margins` gives the county x size-class counts used as weighting margins.

Examples
--------
>>> import tempfile, pathlib
>>> tmp = tempfile.TemporaryDirectory()
>>> path = pathlib.Path(tmp.name) / "frame.csv"
>>> _ = path.write_text("kommunenummer,kommune,fylkesnummer,fylke,population_2022\\n"
...                     "0301,Hovedby,03,Oslo,700000\\n1190,Testvik,11,Rogaland,4200\\n"
...                     "1191,Fiktivdal,11,Rogaland,12000\\n", encoding="utf-8")
>>> frame = load_frame(path)
>>> frame[["kommunenummer", "population", "storrelse"]]
  kommunenummer  population     storrelse
0          0301      700000       20 000+
1          1190        4200   under 5 000
2          1191       12000  5 000–19 999
>>> frame.attrs["year"]
2022
>>> frame_margins(frame).query("municipalities > 0")
  fylkesnummer     fylke     storrelse  municipalities  population
2           03      Oslo       20 000+               1      700000
3           11  Rogaland   under 5 000               1        4200
4           11  Rogaland  5 000–19 999               1       12000
>>> tmp.cleanup()
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputFileError
from analysis.instrument.codebook import SIZE_CLASSES

#: Text columns every frame file must have (plus one ``population_<year>`` column).
TEXT_COLUMNS: tuple[str, ...] = ("kommunenummer", "kommune", "fylkesnummer", "fylke")
#: Columns of a loaded frame, in order.
FRAME_COLUMNS: tuple[str, ...] = TEXT_COLUMNS + ("population", "storrelse")
#: Lower bounds (inhabitants) of the size classes after the first.
SIZE_BOUNDS: tuple[int, int] = (5_000, 20_000)

_POP_RE = re.compile(r"^population_(\d{4})$")
_CODE4 = re.compile(r"^\d{4}$")
_CODE2 = re.compile(r"^\d{2}$")
_POSINT = re.compile(r"^\d+$")


def size_class(population):
    """Size class of a municipality from its number of inhabitants.

    ``under 5 000`` below 5 000, ``5 000–19 999``, and ``20 000+`` from 20 000 on. Missing,
    zero or negative populations get no class.

    Parameters
    ----------
    population : scalar, array-like or pandas.Series
        Number(s) of inhabitants.

    Returns
    -------
    str or None for a scalar; pandas.Series (same index, name ``storrelse``) for a Series;
    otherwise an ordered pandas.Categorical over :data:`analysis.instrument.codebook.SIZE_CLASSES`.

    Examples
    --------
    >>> size_class(4999), size_class(5000), size_class(19999), size_class(20000)
    ('under 5 000', '5 000–19 999', '5 000–19 999', '20 000+')
    >>> list(size_class([1012, 0, 699827]))
    ['under 5 000', nan, '20 000+']
    """
    if np.ndim(population) == 0:
        if population is None or pd.isna(population):
            return None
        cat = size_class([population])[0]
        return None if pd.isna(cat) else str(cat)
    values = pd.to_numeric(
        pd.Series(population) if not isinstance(population, pd.Series) else population,
        errors="coerce",
    ).astype("Float64")
    values = values.where(values > 0)
    cats = pd.cut(
        values.astype(float),
        bins=[0, SIZE_BOUNDS[0], SIZE_BOUNDS[1], np.inf],
        right=False,
        labels=list(SIZE_CLASSES),
        ordered=True,
    )
    cats = cats.cat.set_categories(list(SIZE_CLASSES), ordered=True)
    if isinstance(population, pd.Series):
        return pd.Series(cats.values, index=population.index, name="storrelse")
    return cats.values


def _read_csv(path: Path) -> pd.DataFrame:
    """The frame file as a table of strings, however a spreadsheet saved it.

    Encodings are detected as for exports (:func:`analysis.io.loaders.encoding.decode_bytes`:
    UTF-8 with or without a byte-order mark, Windows-1252, UTF-16); line ends may be ``\\r\\n``,
    ``\\n`` or a lone ``\\r``; the delimiter (``,``, ``;`` as Norwegian Excel writes it, or tab) is
    taken from the header line.
    """
    from analysis.io.loaders.encoding import decode_bytes, sniff_delimiter

    if path.is_dir():
        raise InputFileError(
            path, "is a folder, not a frame file: pass the frame CSV file itself (--frame FILE)"
        )
    if not path.is_file():
        raise InputFileError(path, "frame file not found")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path, f"cannot read the frame file ({exc.strerror or exc})") from None
    text, _ = decode_bytes(raw, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = sniff_delimiter(text.split("\n", 1)[0], ",;\t")
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(
            path, f"frame file is not a readable CSV ({exc})".replace("\n", " ")
        ) from None


#: Digit-group separators a spreadsheet may write into a whole number ("699 827").
_GROUPING = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))")


def load_frame(path: str | Path) -> pd.DataFrame:
    """Read and validate a municipality frame CSV.

    Parameters
    ----------
    path : str or Path
        CSV with columns ``kommunenummer, kommune, fylkesnummer, fylke, population_<year>``
        (codes as text with leading zeros). Comma-, semicolon- or tab-separated; UTF-8 (with or
        without a byte-order mark), Windows-1252 or UTF-16; any line ends: a frame saved from
        Norwegian Excel is read as it is. Populations may carry digit grouping (``699 827``).

    Returns
    -------
    pandas.DataFrame
        Columns ``kommunenummer, kommune, fylkesnummer, fylke`` (string), ``population``
        (Int64) and ``storrelse`` (ordered categorical over ``SIZE_CLASSES``), in file order;
        ``attrs["year"]`` is the population year.

    Raises
    ------
    InputFileError
        Naming the file, the first offending data row (1-based, header not counted) and the
        column, when a required column is missing; a municipality code is not 4 digits or occurs
        twice; a county code is not 2 digits or differs from the first two digits of the
        municipality code; a county code has two names; a name is empty; or a population is not
        a positive whole number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "frame.csv"
    >>> _ = path.write_text("kommunenummer,kommune,fylkesnummer,fylke,population_2023\\n"
    ...                     "301,Hovedby,03,Oslo,700000\\n", encoding="utf-8")
    >>> load_frame(path)
    Traceback (most recent call last):
    ...
    analysis.errors.InputFileError: .../frame.csv, row 1, column kommunenummer: municipality code '301' is not 4 digits (a lost leading zero? keep codes as text)
    >>> tmp.cleanup()
    """
    path = Path(path)
    raw = _read_csv(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    for col in TEXT_COLUMNS:
        if col not in raw.columns:
            raise InputFileError(path, f"required column '{col}' is missing", column=col)
    pop_cols = [c for c in raw.columns if _POP_RE.match(c)]
    if not pop_cols:
        raise InputFileError(
            path,
            "required column 'population_<year>' (e.g. population_2022) is missing",
            column="population_<year>",
        )
    if len(pop_cols) > 1:
        raise InputFileError(
            path,
            f"more than one population column ({', '.join(pop_cols)}): keep one year",
            column=pop_cols[1],
        )
    pop_col = pop_cols[0]
    year = int(_POP_RE.match(pop_col).group(1))
    if raw.empty:
        raise InputFileError(path, "frame file has no municipalities")

    seen_codes: dict[str, int] = {}
    county_names: dict[str, tuple[str, int]] = {}
    table = raw[list(TEXT_COLUMNS) + [pop_col]].apply(lambda s: s.str.strip())
    table[pop_col] = table[pop_col].str.replace(_GROUPING, "", regex=True)
    for i, (code, name, fnr, fname, pop) in enumerate(
        table.itertuples(index=False, name=None), start=1
    ):

        def fail(column: str, problem: str, row: int = i) -> None:
            raise InputFileError(path, problem, row=row, column=column)

        if not _CODE4.match(code):
            hint = (
                " (a lost leading zero? keep codes as text)"
                if _POSINT.match(code) and len(code) == 3
                else ""
            )
            fail("kommunenummer", f"municipality code {code!r} is not 4 digits{hint}")
        if code in seen_codes:
            fail(
                "kommunenummer",
                f"municipality code {code} occurs twice (first in row {seen_codes[code]})",
            )
        seen_codes[code] = i
        if not name:
            fail("kommune", "municipality name is empty")
        if not _CODE2.match(fnr):
            fail("fylkesnummer", f"county code {fnr!r} is not 2 digits")
        if fnr != code[:2]:
            fail(
                "fylkesnummer",
                f"county code {fnr} does not match municipality code {code} "
                f"(its first two digits are {code[:2]})",
            )
        if not fname:
            fail("fylke", "county name is empty")
        if fnr in county_names and county_names[fnr][0] != fname:
            first, first_row = county_names[fnr]
            fail("fylke", f"county {fnr} is named {fname!r} here but {first!r} in row {first_row}")
        county_names.setdefault(fnr, (fname, i))
        if not _POSINT.match(pop) or int(pop) <= 0:
            fail(pop_col, f"population {pop!r} is not a positive whole number")

    out = pd.DataFrame({col: table[col].astype("string") for col in TEXT_COLUMNS})
    out["population"] = pd.array(table[pop_col].astype("int64"), dtype="Int64")
    out["storrelse"] = size_class(out["population"])
    out.attrs["year"] = year
    return out[list(FRAME_COLUMNS)]


def write_frame(frame: pd.DataFrame, path: str | Path, *, year: int | None = None) -> Path:
    """Write a frame in the register's CSV layout, readable by :func:`load_frame`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``kommunenummer, kommune, fylkesnummer, fylke, population``.
    path : str or Path
        Destination CSV (comma-separated, UTF-8, ``\\n`` line ends).
    year : int, optional
        Population year for the column name ``population_<year>``; defaults to
        ``frame.attrs["year"]``.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pd.DataFrame({"kommunenummer": ["1190"], "kommune": ["Testvik"], "fylkesnummer": ["11"],
    ...                   "fylke": ["Rogaland"], "population": [4200]})
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = write_frame(f, pathlib.Path(tmp.name) / "frame.csv", year=2022)
    >>> print(p.read_text(encoding="utf-8"), end="")
    kommunenummer,kommune,fylkesnummer,fylke,population_2022
    1190,Testvik,11,Rogaland,4200
    >>> tmp.cleanup()
    """
    year = year if year is not None else frame.attrs.get("year")
    if year is None:
        raise ValueError("year is needed: pass year= or set frame.attrs['year']")
    path = Path(path)
    out = frame[list(TEXT_COLUMNS)].astype(str).copy()
    out[f"population_{int(year)}"] = frame["population"].astype("int64").to_numpy()
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def frame_margins(frame: pd.DataFrame, *, counties: Iterable[str] | None = None) -> pd.DataFrame:
    """Municipalities and inhabitants by county and size class (the weighting margins).

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame from :func:`load_frame`.
    counties : iterable of str, optional
        County codes to report (default: those in the frame).

    Returns
    -------
    pandas.DataFrame
        One row per county x size class (every combination, zeros included), ordered by county
        code and size class: ``fylkesnummer, fylke, storrelse`` (ordered categorical),
        ``municipalities`` (int64), ``population`` (Int64).

    Examples
    --------
    >>> f = pd.DataFrame({"kommunenummer": ["1190", "1191"], "kommune": ["Testvik", "Fiktivdal"],
    ...                   "fylkesnummer": ["11", "11"], "fylke": ["Rogaland"] * 2,
    ...                   "population": pd.array([4200, 30000], dtype="Int64")})
    >>> f["storrelse"] = size_class(f["population"])
    >>> frame_margins(f)[["storrelse", "municipalities", "population"]]
          storrelse  municipalities  population
    0   under 5 000               1        4200
    1  5 000–19 999               0           0
    2       20 000+               1       30000
    """
    names = frame.drop_duplicates("fylkesnummer").set_index("fylkesnummer")["fylke"]
    codes = sorted(map(str, counties)) if counties is not None else sorted(names.index.astype(str))
    storrelse = frame["storrelse"] if "storrelse" in frame else size_class(frame["population"])
    grouped = (
        pd.DataFrame(
            {
                "fylkesnummer": frame["fylkesnummer"].astype(str).to_numpy(),
                "storrelse": pd.Categorical(storrelse, categories=list(SIZE_CLASSES), ordered=True),
                "population": frame["population"].astype("Int64").to_numpy(),
            }
        )
        .groupby(["fylkesnummer", "storrelse"], observed=True)["population"]
        .agg(["size", "sum"])
    )
    index = pd.MultiIndex.from_product(
        [codes, list(SIZE_CLASSES)], names=["fylkesnummer", "storrelse"]
    )
    grouped.index = pd.MultiIndex.from_arrays(
        [
            grouped.index.get_level_values(0).astype(str),
            grouped.index.get_level_values(1).astype(str),
        ],
        names=index.names,
    )
    grouped = grouped.reindex(index, fill_value=0)
    out = pd.DataFrame(
        {
            "fylkesnummer": index.get_level_values(0).astype(str),
            "fylke": [names.get(c, pd.NA) for c in index.get_level_values(0)],
            "storrelse": pd.Categorical(
                index.get_level_values(1), categories=list(SIZE_CLASSES), ordered=True
            ),
            "municipalities": grouped["size"].to_numpy().astype("int64"),
            "population": pd.array(grouped["sum"].to_numpy().astype("int64"), dtype="Int64"),
        }
    )
    out["fylke"] = out["fylke"].astype("string")
    out["fylkesnummer"] = out["fylkesnummer"].astype("string")
    return out
