"""The municipality frame loader, checked on the real 2022 register and on broken small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputFileError, UserError
from analysis.instrument.codebook import SIZE_CLASSES
from analysis.io.frame import frame_margins, load_frame, size_class, write_frame

# Municipalities by county and size class, copied cell by cell from the table
# "Municipalities by county and size class (inhabitants)" in shared/reference/README.md
# (columns: under 5 000, 5 000–19 999, 20 000+).
README_TABLE_2022 = {
    "03": ("Oslo", 0, 0, 1),
    "11": ("Rogaland", 9, 8, 6),
    "15": ("Møre og Romsdal", 9, 14, 3),
    "18": ("Nordland", 29, 9, 3),
    "30": ("Viken", 16, 15, 20),
    "34": ("Innlandet", 22, 18, 6),
    "38": ("Vestfold og Telemark", 9, 6, 8),
    "42": ("Agder", 11, 10, 4),
    "46": ("Vestland", 21, 16, 6),
    "50": ("Trøndelag", 18, 16, 4),
    "54": ("Troms og Finnmark", 30, 6, 3),
}
README_NORWAY_2022 = (174, 118, 64, 356)

HEADER = "kommunenummer,kommune,fylkesnummer,fylke,population_2022\n"
GOOD_ROWS = [
    "0301,Hovedby,03,Oslo,700000",
    "1190,Testvik,11,Rogaland,4200",
    "1191,Fiktivdal,11,Rogaland,12000",
]


@pytest.fixture(scope="module")
def real(reference_frame_path):
    return load_frame(reference_frame_path)


def test_real_register_totals(real):
    assert len(real) == 356
    assert real["kommunenummer"].is_unique
    assert int(real["population"].sum()) == 5_425_270
    oslo = real.set_index("kommunenummer").loc["0301"]
    assert oslo["kommune"] == "Oslo"
    assert oslo["population"] == 699_827
    assert oslo["storrelse"] == "20 000+"
    assert real["fylkesnummer"].nunique() == 11
    assert real.attrs["year"] == 2022


def test_real_register_dtypes(real):
    assert list(real.columns) == [
        "kommunenummer",
        "kommune",
        "fylkesnummer",
        "fylke",
        "population",
        "storrelse",
    ]
    assert str(real["population"].dtype) == "Int64"
    assert isinstance(real["storrelse"].dtype, pd.CategoricalDtype)
    assert real["storrelse"].cat.ordered
    assert list(real["storrelse"].cat.categories) == list(SIZE_CLASSES)
    assert real["storrelse"].notna().all()
    # codes keep their leading zeros
    assert real["kommunenummer"].str.fullmatch(r"\d{4}").all()
    assert (real["kommunenummer"].str[:2] == real["fylkesnummer"]).all()


def test_real_register_margins_reproduce_readme(real, reference_frame_path):
    margins = frame_margins(real)
    assert len(margins) == 11 * 3
    assert list(margins.columns) == [
        "fylkesnummer",
        "fylke",
        "storrelse",
        "municipalities",
        "population",
    ]
    wide = margins.pivot(index="fylkesnummer", columns="storrelse", values="municipalities")
    for code, (name, *counts) in README_TABLE_2022.items():
        assert list(wide.loc[code, list(SIZE_CLASSES)]) == counts, code
        # the README shortens the bilingual county names: compare the Norwegian part
        county = margins.loc[margins["fylkesnummer"] == code, "fylke"].iloc[0]
        assert county.split(" - ")[0] == name
    totals = [int(wide[c].sum()) for c in SIZE_CLASSES]
    assert (*totals, int(wide.to_numpy().sum())) == README_NORWAY_2022
    assert int(margins["population"].sum()) == 5_425_270
    # population margins computed independently with a plain pandas groupby
    independent = (
        pd.read_csv(reference_frame_path, dtype={"fylkesnummer": str})
        .assign(
            cls=lambda d: np.select(
                [d.population_2022 < 5000, d.population_2022 < 20000],
                ["under 5 000", "5 000–19 999"],
                "20 000+",
            )
        )
        .groupby(["fylkesnummer", "cls"])["population_2022"]
        .sum()
    )
    for (code, cls), value in independent.items():
        row = margins[(margins["fylkesnummer"] == code) & (margins["storrelse"] == cls)]
        assert int(row["population"].iloc[0]) == value


def test_size_class_boundaries():
    assert size_class(1) == "under 5 000"
    assert size_class(4999) == "under 5 000"
    assert size_class(5000) == "5 000–19 999"
    assert size_class(19_999) == "5 000–19 999"
    assert size_class(20_000) == "20 000+"
    assert size_class(0) is None
    assert size_class(None) is None
    s = pd.Series([100, 20_000, None], index=[5, 6, 7], dtype="Int64")
    out = size_class(s)
    assert list(out.index) == [5, 6, 7]
    assert out.iloc[0] == "under 5 000" and out.iloc[1] == "20 000+" and pd.isna(out.iloc[2])
    assert out.cat.ordered and list(out.cat.categories) == list(SIZE_CLASSES)
    arr = size_class(np.array([4999, 5000]))
    assert isinstance(arr, pd.Categorical)


def test_write_frame_round_trip(tmp_path, real):
    path = write_frame(real, tmp_path / "frame.csv")
    again = load_frame(path)
    pd.testing.assert_frame_equal(again, real)
    assert path.read_text(encoding="utf-8").splitlines()[0].endswith("population_2022")


def _write(tmp_path, rows, header=HEADER):
    path = tmp_path / "frame.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _error(path) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        load_frame(path)
    err = info.value
    assert isinstance(err, UserError)
    assert str(path) in str(err)
    return err


def test_good_small_frame(tmp_path):
    frame = load_frame(_write(tmp_path, GOOD_ROWS))
    assert list(frame["storrelse"].astype(str)) == ["20 000+", "under 5 000", "5 000–19 999"]


@pytest.mark.parametrize(
    ("rows", "row", "column", "words"),
    [
        # duplicate code: reported at its second occurrence (data row 3)
        (GOOD_ROWS[:2] + ["1190,Annenvik,11,Rogaland,300"], 3, "kommunenummer", "occurs twice"),
        # 3-digit code (leading zero lost)
        (["301,Hovedby,03,Oslo,700000"] + GOOD_ROWS[1:], 1, "kommunenummer", "not 4 digits"),
        # county code does not match the municipality code
        (
            GOOD_ROWS[:2] + ["1191,Fiktivdal,15,Møre og Romsdal,12000"],
            3,
            "fylkesnummer",
            "does not match",
        ),
        # county code not 2 digits
        (GOOD_ROWS[:1] + ["1190,Testvik,011,Rogaland,4200"], 2, "fylkesnummer", "not 2 digits"),
        # zero population
        (
            GOOD_ROWS[:2] + ["1191,Fiktivdal,11,Rogaland,0"],
            3,
            "population_2022",
            "positive whole number",
        ),
        # not a whole number
        (
            GOOD_ROWS[:1] + ["1190,Testvik,11,Rogaland,4200.5"],
            2,
            "population_2022",
            "positive whole number",
        ),
        # two names for one county
        (GOOD_ROWS[:2] + ["1191,Fiktivdal,11,Rogalandd,12000"], 3, "fylke", "named"),
        # empty municipality name
        (GOOD_ROWS[:1] + ["1190,,11,Rogaland,4200"], 2, "kommune", "empty"),
    ],
)
def test_validation_errors_name_file_row_column(tmp_path, rows, row, column, words):
    err = _error(_write(tmp_path, rows))
    assert err.row == row
    assert err.column == column
    assert f"row {row}" in str(err)
    assert f"column {column}" in str(err)
    assert words in str(err)


def test_first_offending_row_is_named(tmp_path):
    rows = GOOD_ROWS + ["1192,Prøvevik,11,Rogaland,0", "99,Feil,99,Feil,1"]
    err = _error(_write(tmp_path, rows))
    assert err.row == 4 and err.column == "population_2022"


@pytest.mark.parametrize("missing", ["kommunenummer", "kommune", "fylkesnummer", "fylke"])
def test_missing_column(tmp_path, missing):
    cols = ["kommunenummer", "kommune", "fylkesnummer", "fylke", "population_2022"]
    keep = [i for i, c in enumerate(cols) if c != missing]
    header = ",".join(cols[i] for i in keep) + "\n"
    rows = [",".join(r.split(",")[i] for i in keep) for r in GOOD_ROWS]
    err = _error(_write(tmp_path, rows, header=header))
    assert err.column == missing
    assert f"column {missing}" in str(err) and "missing" in str(err)


def test_missing_population_column(tmp_path):
    err = _error(
        _write(
            tmp_path,
            [r.rsplit(",", 1)[0] for r in GOOD_ROWS],
            header="kommunenummer,kommune,fylkesnummer,fylke\n",
        )
    )
    assert "population" in err.column


def test_population_year_from_column_name(tmp_path):
    path = _write(tmp_path, GOOD_ROWS, header=HEADER.replace("2022", "2024"))
    assert load_frame(path).attrs["year"] == 2024


def test_missing_file(tmp_path):
    err = _error(tmp_path / "nope.csv")
    assert "not found" in str(err)


# -- issue 11, item 10: frames as Excel saves them -----------------------------------------------

EXCEL_ROWS = [
    "0301,Oslo,03,Oslo,699827",
    "1103,Stavanger,11,Rogaland,144699",
    "5401,Tromsø,54,Troms og Finnmark,77544",
    "3024,Bærum,30,Viken,128233",
]


@pytest.mark.parametrize(
    ("sep", "encoding", "newline"),
    [
        (";", "cp1252", "\r\n"),  # Norwegian Excel: "CSV (semikolondelt)"
        (";", "utf-8-sig", "\r\n"),  # "CSV UTF-8": with a byte-order mark
        (",", "utf-8", "\r"),  # old Mac Excel: CR-only line ends
        (";", "cp1252", "\r"),
        ("\t", "utf-16", "\r\n"),  # "Unicode-tekst"
    ],
)
def test_frame_saved_from_excel_is_read(tmp_path, sep, encoding, newline):
    want = load_frame(_write(tmp_path, EXCEL_ROWS))
    path = tmp_path / "excel.csv"
    text = newline.join([HEADER.strip(), *EXCEL_ROWS]) + newline
    path.write_bytes(text.replace(",", sep).encode(encoding))
    got = load_frame(path)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["year"] == 2022


def test_population_with_thousands_separators_from_excel(tmp_path):
    rows = ["0301;Oslo;03;Oslo;699\u00a0827", "1103;Stavanger;11;Rogaland;144 699"]
    path = tmp_path / "f.csv"
    path.write_bytes((HEADER.replace(",", ";") + "\n".join(rows) + "\n").encode("cp1252"))
    assert load_frame(path)["population"].tolist() == [699827, 144699]


def test_frame_folder_is_named_as_a_folder(tmp_path):
    err = _error(tmp_path)
    assert "is a folder" in str(err)
