"""Synthetic demo waves: a fictional municipality frame and two survey exports with known truth.

:func:`write_demo` writes ``data/raw/demo-2022/`` (instrument version 1, a Nettskjema CSV export)
and ``data/raw/demo-2023/`` (instrument version 2, an SPSS ``.sav`` file), each with the fictional
frame ``frame.csv``, a ``manifest.json`` and ``ground_truth.json``. Everything is deterministic
from the seed: the same seed gives the same bytes.

Nothing here is real: municipality names are invented, codes are made up (see
:func:`fictional_frame`), and every answer comes from the model below.

The fictional frame
-------------------
356 municipalities in the 11 real counties of 2020–2023 with exactly the real 2022 number of
municipalities per county and size class (:data:`COUNTY_SIZE_COUNTS_2022`, from Statistics Norway's
register), plainly fictional names ("Testvik", "Liksomdal", ...) and populations drawn within each
size class. Codes start with the county number and avoid the real codes of 2020–2023 except where
a county has too few free numbers (Viken: three collide) and the capital, which is 0301 by design
(the demo plants the typing error "301" and needs the repair to land in the frame).

Sample design (one wave)
------------------------
Municipal units come from 120 municipalities: the capital (0301) with certainty and 119 others
drawn without replacement with probability proportional to the square root of the population.
The capital answers through 10 city districts (utleiertype 2), one municipal enterprise (3) and
one agency (1); other municipalities of 20 000+ give 1 + Poisson(1.4) units (at most 4; extra
units are enterprises (3) with probability 0.4, else further agencies (1)), municipalities of
5 000–19 999 one unit, or two with probability 0.3, smaller ones one unit (about 200 municipal
units in all). Then 60 non-profit (4) and 40 commercial (5)
landlords; 85 % of them name the municipality of their main area, drawn proportional to
population. Rows are shuffled. Both waves use the same design; version 2 codes 3 as 2.

Generative model
----------------
For respondent i in wave w::

    eta_i = cat[c_i] + size[s_i] + b_forut * (J_i - 2) + wave[w] + u_m(i) + e_i

with ``cat`` = {kommunal 0, ideell +0.15, kommersiell -0.6}; ``size`` = {under 5 000 -0.35,
5 000-19 999 0, 20 000+ +0.35, unknown 0} (the size class of the respondent's municipality, for
non-municipal landlords that of their main area); ``J_i`` the number of ``forut_*`` rows answered
Ja (1), ``b_forut`` = 0.22; ``wave`` = {2022 0, 2023 +0.25}; ``u_m ~ N(0, 0.3^2)`` shared by the
units of one municipality (municipal units only); ``e_i ~ N(0, 0.7^2)``.

- ``forut_*``: each row "vet ikke" (9) with probability 0.05, blank 0.02, otherwise Ja with a
  probability depending on category (0.45, 0.40, 0.25), size (-0.12 for under 5 000, +0.12 for
  20 000+) and row, else Nei (2). Resources therefore differ by category and size.
- ``komp_*`` (and version 2's ``komp_digitalt``): ordinal, ``y* = 0.95 eta + d_j + N(0, 1)`` cut
  at (-1.5, -0.45, 0.6, 1.65) into 1–5; "vet ikke" 3 %, blank 2 % per item, the whole block blank
  for 1.5 % of respondents. Cronbach's alpha of the seven items is about 0.8.
- ``hold_*``: from an attitude latent ``a = 0.4 eta + N(0, 0.9^2)``, ``y* = 0.9 a + d_j + N(0,1)``
  with ``tidsbruk`` reverse-keyed (``-0.9 a``); 9 at 3 %, blank 2 %.
- ``niva_*``: from a participation latent ``p = 0.5 eta + 0.3 a + N(0, 0.8^2)``, ordinal 0–5; 9
  (ikke aktuelt) at 5 % (``tildeling``: 35 % for non-municipal landlords, ``rehabilitering`` 8 %).
- ``former_*``: each form with probability ``logistic(alpha_f + p)``; ``ingen`` exactly when no
  form is chosen, and then every applicable ``niva`` row is capped at 1 (informing).
- ``behov_*``: ``logistic(alpha_t - g_t eta + category bump)``; low competence raises
  ``metoder`` and ``inkludering`` most (g = 0.6), commercial landlords want ``husleierett`` and
  ``konflikt`` more, non-profits ``inkludering`` and ``beboerrad``. ``behov_viktigst`` is one of
  the chosen themes (blank if none).
- ``barrierer_*``: 0–3 options (probabilities 0.04, 0.20, 0.36, 0.40) drawn without replacement
  by weight; municipal units name resources and language more often, low competence methods.
- ``malgrupper_*``, ``format_*``, ``antall_boliger``, ``rolle``: category-dependent draws.
- Free text: a harmless sentence for 30 % (``eksempel``) and 12 % (``kommentar``).
- Version 2 only: 4 % of respondents break off before the needs section; their needs items carry
  the declared user-missing code -99 ("Ikke besvart"), distinct from 9 "vet ikke". Other blanks
  are system-missing.

Ground truth
------------
``ground_truth.json`` holds the true values of estimands on the score scales of the instrument
(kompetanse 0–100 from the seven common ``komp_*`` rows, etc.): the mean score by landlord
category, the difference kommersiell - kommunal, 20 000+ - under 5 000 among municipal units, the
population least-squares coefficient of ``forutsetninger``, theme shares, and (demo-2023) the
change since 2022. They are computed by Monte Carlo: the same design and model run for
:data:`MC_RESPONDENTS` simulated respondents per wave with separate fixed seeds, scored with the
instrument's rules; each value has an approximate Monte Carlo standard error. The planted data
problems are listed with their source rows.

Examples
--------
>>> frame = fictional_frame(7)
>>> frame.groupby("fylkesnummer").size().loc[["03", "30"]].tolist()
[1, 51]

``write_demo(seed=...)`` (or ``python -m analysis demo``) writes both waves; see :func:`write_demo`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.clean.ingest import copy_instrument
from analysis.errors import UserError
from analysis.instrument.codebook import DONT_KNOW, SIZE_CLASSES, load_codebook
from analysis.io.frame import size_class, write_frame
from analysis.io.manifest import Manifest, sha256_file

DEFAULT_SEED = 20221115
#: Simulated respondents per wave for the Monte Carlo ground truth.
MC_RESPONDENTS = 240_000
#: User-missing code declared in the SPSS export ("Ikke besvart": not seen / not answered).
USER_MISSING = -99
FRAME_YEAR = 2022

#: Municipalities per county and size class (under 5 000, 5 000–19 999, 20 000+) in 2022, from
#: Statistics Norway's register (shared/reference/README.md); the fictional frame reproduces it.
COUNTY_SIZE_COUNTS_2022: dict[str, tuple[str, int, int, int]] = {
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

# Last two digits of the real municipality codes of 2020–2023 per county (Statistics Norway,
# KLASS 131): the fictional codes avoid them where the county has enough free numbers.
_REAL_CODE_SUFFIXES: dict[str, str] = {
    "03": "01",
    "11": "01 03 06 08 11 12 14 19 20 21 22 24 27 30 33 34 35 44 45 46 49 51 60",
    "15": "05 06 07 11 14 15 16 17 20 25 28 31 32 35 39 47 54 57 60 63 66 73 76 77 78 79",
    "18": "04 06 11 12 13 15 16 18 20 22 24 25 26 27 28 32 33 34 35 36 37 38 39 40 41 45 48 51 53 "
    "56 57 59 60 65 66 67 68 70 71 74 75",
    "30": " ".join(f"{i:02d}" for i in [*range(1, 8), *range(11, 55)]),
    "34": " ".join(f"{i:02d}" for i in [1, 3, 5, 7, *range(11, 44), *range(46, 55)]),
    "38": " ".join(f"{i:02d}" for i in [*range(1, 9), *range(11, 26)]),
    "42": " ".join(f"{i:02d}" for i in [*range(1, 8), *range(11, 29)]),
    "46": " ".join(f"{i:02d}" for i in [1, 2, *range(11, 52)]),
    "50": "01 06 07 14 20 21 22 25 26 27 28 29 31 32 33 34 35 36 37 38 41 42 43 44 45 46 47 49 52 "
    "53 54 55 56 57 58 59 60 61",
    "54": " ".join(f"{i:02d}" for i in [*range(1, 7), *range(11, 31), *range(32, 45)]),
}

CAPITAL_CODE = "0301"
CAPITAL_NAME = "Demostad"
_NAME_PREFIXES = (
    "Test",
    "Fiktiv",
    "Demo",
    "Eksempel",
    "Prøve",
    "Modell",
    "Skisse",
    "Utkast",
    "Liksom",
    "Tenkt",
    "Oppdikt",
    "Forsøk",
    "Fantasi",
    "Drømme",
    "Simul",
    "Dummy",
    "Påstått",
    "Kanskje",
    "Plassholder",
)
_NAME_SUFFIXES = (
    "vik",
    "dal",
    "øy",
    "fjord",
    "berg",
    "nes",
    "stad",
    "heim",
    "sund",
    "bygd",
    "li",
    "mo",
    "haug",
    "voll",
    "land",
    "strand",
    "åsen",
    "rud",
    "by",
    "vær",
)

# -- model parameters (recorded in ground_truth.json) -------------------------------------------
MODEL: dict = {
    "cat_effect": {"kommunal": 0.0, "ideell": 0.15, "kommersiell": -0.6},
    "size_effect": {"under 5 000": -0.35, "5 000–19 999": 0.0, "20 000+": 0.35, "unknown": 0.0},
    "forut_effect_per_ja": 0.22,
    "wave_effect": {"2022": 0.0, "2023": 0.25},
    "sd_municipality": 0.3,
    "sd_noise": 0.7,
    "komp_loading": 0.95,
    "komp_cuts": [-1.5, -0.45, 0.6, 1.65],
    "komp_shift": {
        "planlegge": 0.0,
        "na_alle": -0.4,
        "mote": 0.2,
        "tilbakemelding": -0.1,
        "evaluere": -0.4,
        "regelverk": 0.3,
        "konflikt": 0.1,
        "digitalt": -0.2,
    },
    "p_dont_know": 0.03,
    "p_blank": 0.02,
    "p_block_blank": 0.015,
    "p_breakoff_v2": 0.04,
    "forut_p_ja": {"kommunal": 0.45, "ideell": 0.40, "kommersiell": 0.25},
    "forut_size_shift": {"under 5 000": -0.12, "20 000+": 0.12},
    "forut_row_shift": {
        "strategi": 0.10,
        "stilling": -0.10,
        "budsjett": 0.0,
        "opplaering": 0.0,
        "samarbeid": -0.05,
    },
    "forut_p_dont_know": 0.05,
    "forut_p_blank": 0.02,
}
_FORUT_ROWS = ("strategi", "stilling", "budsjett", "opplaering", "samarbeid")
_KOMP_V1 = ("planlegge", "na_alle", "mote", "tilbakemelding", "evaluere", "regelverk", "konflikt")
_HOLD = {"endrer": 0.3, "informerer": -0.1, "verdi": 0.9, "tidsbruk": -0.2}
_NIVA = {
    "vedlikehold": 0.3,
    "uteomrader": 0.5,
    "husordensregler": 0.0,
    "rehabilitering": -0.2,
    "tildeling": -0.8,
}
_NIVA_CUTS = (-1.5, -0.5, 0.3, 1.1, 1.9)
_FORMER = {
    "beboermote": 0.6,
    "beboerrad": -0.4,
    "brukerrad": -0.8,
    "sporreundersokelse": 0.0,
    "dialog_rehab": -0.3,
    "tilskudd": -1.0,
    "digitale_kanaler": -0.5,
}
_BEHOV_ALPHA = {
    "metoder": -0.2,
    "inkludering": -0.1,
    "husleierett": -0.9,
    "beboerrad": -0.8,
    "konflikt": -0.6,
    "kommunikasjon": -0.3,
    "evaluering": -0.7,
    "bomiljotiltak": -0.6,
}
_BEHOV_GAMMA = {
    "metoder": 0.6,
    "inkludering": 0.6,
    "husleierett": 0.1,
    "beboerrad": 0.1,
    "konflikt": 0.1,
    "kommunikasjon": 0.2,
    "evaluering": 0.0,
    "bomiljotiltak": 0.1,
}
_BEHOV_BUMP = {  # by category index (kommunal, ideell, kommersiell)
    "inkludering": (0.0, 0.3, -0.3),
    "husleierett": (0.0, 0.0, 0.8),
    "beboerrad": (0.0, 0.4, 0.0),
    "konflikt": (0.0, 0.0, 0.3),
    "bomiljotiltak": (0.2, 0.0, 0.0),
}
_BARRIERER = {
    "tid": 1.0,
    "ressurser": 1.0,
    "lav_interesse": 0.8,
    "sprak": 0.3,
    "konflikter": 0.0,
    "metoder": 0.2,
    "forankring": -0.2,
    "annet": -1.2,
}
_FORMAT = {"seminar": 0.55, "kurs": 0.45, "nettverk": 0.40, "veileder": 0.35, "elaering": 0.25}
_MALGRUPPER = {  # kommunal, ideell, kommersiell
    "vanskeligstilte": (0.9, 0.6, 0.1),
    "flyktninger": (0.75, 0.4, 0.1),
    "eldre": (0.5, 0.5, 0.2),
    "rus_psykisk": (0.6, 0.5, 0.05),
    "unge": (0.45, 0.5, 0.35),
    "ordinare": (0.15, 0.3, 0.95),
}
_ANTALL = {  # P(1..4) by category; municipal units shift with size
    0: (0.25, 0.40, 0.25, 0.10),
    1: (0.35, 0.40, 0.20, 0.05),
    2: (0.15, 0.35, 0.35, 0.15),
}
_ROLLE = (0.30, 0.40, 0.15, 0.05, 0.10)

_EKSEMPEL = (
    "Vi har faste beboermøter to ganger i året der leietakerne setter dagsorden.",
    "Beboerne var med og planla det nye uteområdet.",
    "Vi spurte alle leietakerne før vi endret husordensreglene.",
    "Et beboerråd har fått et eget budsjett til aktiviteter.",
    "Ved rehabiliteringen hadde vi åpne møter i hver oppgang.",
    "Vi bruker tolk på beboermøter for dem som trenger det.",
    "Leietakerne får en oppsummering av hva innspillene førte til.",
    "Vi samarbeider med frivillige om dugnader og sommeravslutning.",
)
_KOMMENTAR = (
    "Fint at dette temaet blir tatt opp.",
    "Vi trenger mer tid og ressurser til dette arbeidet.",
    "Spørsmålene passet ikke helt for en liten utleier.",
    "Ser fram til seminarene.",
    "Vanskelig å svare for hele kommunen.",
)

NETTSKJEMA_FILE = "nettskjema_export.csv"
SAV_FILE = "demo_2023.sav"
FRAME_FILE = "frame.csv"
TRUTH_FILE = "ground_truth.json"
#: The demo's two waves use the two packaged versions: the first wave (a Nettskjema export) and
#: the follow-up (an SPSS file).
FIRST, FOLLOW_UP = 1, 2

#: Landlord categories in the instrument's order.
CATEGORIES: tuple[str, ...] = tuple(load_codebook(FIRST).categories)

WAVES = {
    "demo-2022": {
        "year": 2022,
        "version": 1,
        "format": "nettskjema",
        "file": NETTSKJEMA_FILE,
        "received": "2022-11-15",
        "fieldwork": ("2022-09-15", "2022-10-31"),
        # the manifest's survey facts (fictional); commercial landlords were reached through a
        # trade association, so their number invited is unknown
        "survey": {
            "invited": {"kommunal": 356, "ideell": 110},
            "recruitment": "Invitasjon på e-post til alle kommuner og til ideelle utleiere i "
            "Leieboerforeningens kontaktregister; kommersielle utleiere ble invitert gjennom "
            "en bransjeforening. Én påminnelse etter to uker.",
            "mode": "Nettbasert spørreskjema, selvutfylling",
            "tool": "Nettskjema",
        },
    },
    "demo-2023": {
        "year": 2023,
        "version": 2,
        "format": "spss",
        "file": SAV_FILE,
        "received": "2023-11-15",
        "fieldwork": ("2023-09-15", "2023-10-31"),
        "survey": {
            "invited": {"kommunal": 356, "ideell": 100, "kommersiell": 95},
            "recruitment": "Invitasjon på e-post til alle kommuner og til ideelle og kommersielle "
            "utleiere i Leieboerforeningens kontaktregister. To påminnelser.",
            "mode": "Nettbasert spørreskjema, selvutfylling",
            "tool": "SurveyXact",
        },
    },
}
# Random streams: default_rng([seed, stream]) with a fixed stream per purpose.
_STREAM = {"frame": 1, "design": 10, "answers": 20, "plants": 30, "system": 40, "mc": 9000}


def _rng(seed: int, stream: str, extra: int = 0) -> np.random.Generator:
    return np.random.default_rng([int(seed), _STREAM[stream], int(extra)])


# ==============================================================================================
# The fictional frame
# ==============================================================================================


def _fictional_codes(county: str, n: int) -> list[str]:
    """``n`` codes for a county: free numbers from 99 downwards, then (if short) real ones."""
    real = {int(x) for x in _REAL_CODE_SUFFIXES[county].split()}
    free = [i for i in range(99, 0, -1) if i not in real]
    taken = sorted(real, reverse=True)
    return [f"{county}{i:02d}" for i in (free + taken)[:n]]


def fictional_frame(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A fictional municipality frame with the real 2022 county x size-class counts.

    356 invented municipalities ("Testvik", "Liksomdal", ...) in the 11 real counties of
    2020–2023, as many per county and size class as in Statistics Norway's 2022 register
    (:data:`COUNTY_SIZE_COUNTS_2022`), with populations drawn within each class. The capital,
    fictional name "Demostad", has the code 0301; other codes avoid the real ones where the county
    has free numbers (see :func:`_fictional_codes`).

    Parameters
    ----------
    seed : int
        Random seed (names, populations).

    Returns
    -------
    pandas.DataFrame
        In the layout of :func:`analysis.io.frame.load_frame` (``attrs["year"] = 2022``), sorted by
        ``kommunenummer``.

    Examples
    --------
    >>> f = fictional_frame(1)
    >>> len(f), f["kommunenummer"].is_unique, f.loc[0, "kommunenummer"], f.loc[0, "kommune"]
    (356, True, '0301', 'Demostad')
    >>> int((f["storrelse"] == "20 000+").sum())
    64
    """
    rng = _rng(seed, "frame")
    pool = [p + s for p in _NAME_PREFIXES for s in _NAME_SUFFIXES if p + s != CAPITAL_NAME]
    names = iter(rng.permutation(np.array(pool, dtype=object)).tolist())
    rows = []
    for county, (cname, *counts) in COUNTY_SIZE_COUNTS_2022.items():
        total = sum(counts)
        codes = [CAPITAL_CODE] if county == "03" else _fictional_codes(county, total)
        pops: list[int] = []
        for cls, k in zip(SIZE_CLASSES, counts, strict=True):
            if cls == "under 5 000":
                draws = np.exp(rng.uniform(np.log(400), np.log(4999), k))
            elif cls == "5 000–19 999":
                draws = np.exp(rng.uniform(np.log(5000), np.log(19_999), k))
            elif county == "03":
                draws = rng.uniform(600_000, 720_000, k)
            else:
                draws = np.exp(rng.uniform(np.log(20_000), np.log(160_000), k))
            pops.extend(int(x) for x in np.floor(draws))
        pops_arr = np.array(pops)[rng.permutation(total)]  # sizes spread over the codes
        for code, pop in zip(codes, pops_arr, strict=True):
            name = CAPITAL_NAME if code == CAPITAL_CODE else next(names)
            rows.append((code, name, county, cname, int(pop)))
    frame = pd.DataFrame(
        rows, columns=["kommunenummer", "kommune", "fylkesnummer", "fylke", "population"]
    )
    frame = frame.sort_values("kommunenummer", ignore_index=True)
    for col in ("kommunenummer", "kommune", "fylkesnummer", "fylke"):
        frame[col] = frame[col].astype("string")
    frame["population"] = frame["population"].astype("Int64")
    frame["storrelse"] = size_class(frame["population"])
    frame.attrs["year"] = FRAME_YEAR
    return frame


# ==============================================================================================
# Sample design and answers
# ==============================================================================================


class _FrameArrays:
    def __init__(self, frame: pd.DataFrame):
        self.codes = frame["kommunenummer"].astype(str).to_numpy()
        self.pop = frame["population"].astype("int64").to_numpy().astype(float)
        cls = frame["storrelse"].astype(str).to_numpy()
        self.size = np.select([cls == SIZE_CLASSES[0], cls == SIZE_CLASSES[1]], [0, 1], 2)
        self.capital = int(np.flatnonzero(self.codes == CAPITAL_CODE)[0])
        others = np.setdiff1d(np.arange(len(self.codes)), [self.capital])
        self.others = others
        w = np.sqrt(self.pop[others])
        self.p_select = w / w.sum()
        self.p_area = self.pop / self.pop.sum()


def _design(
    rng: np.random.Generator,
    fa: _FrameArrays,
    *,
    n_municipalities: int = 120,
    n_ideell: int = 60,
    n_kommersiell: int = 40,
) -> dict[str, np.ndarray]:
    """One wave's respondents: category, utleiertype (v1 codes), municipality, size class."""
    chosen = rng.choice(fa.others, size=n_municipalities - 1, replace=False, p=fa.p_select)
    munis, types = [fa.capital] * 12, [2] * 10 + [3, 1]
    size = fa.size[chosen]
    n_units = np.ones(len(chosen), dtype=int)
    big = size == 2
    n_units[big] += np.minimum(rng.poisson(1.4, big.sum()), 3)
    mid = size == 1
    n_units[mid] += rng.random(mid.sum()) < 0.3
    extra_kf = rng.random(n_units.sum()) < 0.4
    unit_muni = np.repeat(chosen, n_units)
    first = np.repeat(
        np.cumsum(n_units) - n_units, n_units
    )  # index of each municipality's first unit
    unit_type = np.where(np.arange(n_units.sum()) == first, 1, np.where(extra_kf, 3, 1))
    n_other = n_ideell + n_kommersiell
    area = rng.choice(len(fa.codes), size=n_other, p=fa.p_area)
    area[rng.random(n_other) >= 0.85] = -1
    muni = np.concatenate([np.array(munis), unit_muni, area])
    utype = np.concatenate(
        [np.array(types), unit_type, np.full(n_ideell, 4), np.full(n_kommersiell, 5)]
    )
    cat = np.select([utype <= 3, utype == 4], [0, 1], 2)
    order = rng.permutation(len(muni))
    muni, utype, cat = muni[order], utype[order], cat[order]
    size_all = np.where(muni >= 0, fa.size[np.maximum(muni, 0)], -1)
    return {"muni": muni, "utype": utype, "cat": cat, "size": size_all}


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _ordinal(latent: np.ndarray, cuts, start: int) -> np.ndarray:
    return start + (latent[..., None] > np.asarray(cuts)).sum(axis=-1)


def _topk_mask(rng, logw: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Choose k[i] options without replacement with weights exp(logw) (Gumbel top-k)."""
    keys = logw + rng.gumbel(size=logw.shape)
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return ranks < k[:, None]


def _answers(
    rng: np.random.Generator,
    d: dict[str, np.ndarray],
    *,
    wave_year: int,
    version: int,
    clusters: np.ndarray,
) -> dict[str, np.ndarray]:
    """Draw every item for the respondents of design ``d`` (canonical v1 ids + komp_digitalt).

    Numeric items are float arrays with NaN for blank; ``kommunenummer`` is filled in by the
    caller. ``clusters`` identifies municipalities for the shared random effect (-1: none).
    """
    n = len(d["cat"])
    cat, size = d["cat"], d["size"]
    m = MODEL
    out: dict[str, np.ndarray] = {}

    def blanks(x: np.ndarray, p9: float, pblank: float) -> np.ndarray:
        u = rng.random(x.shape)
        x = x.astype(float)
        x[u < p9] = DONT_KNOW
        x[(u >= p9) & (u < p9 + pblank)] = np.nan
        return x

    # resources (forut) first: the latent depends on the observed number of Ja
    p_ja = np.array([m["forut_p_ja"][c] for c in CATEGORIES])[cat]
    p_ja = p_ja + np.where(size == 0, m["forut_size_shift"]["under 5 000"], 0.0)
    p_ja = p_ja + np.where(size == 2, m["forut_size_shift"]["20 000+"], 0.0)
    n_ja = np.zeros(n)
    for row in _FORUT_ROWS:
        u = rng.random(n)
        code = np.where(rng.random(n) < p_ja + m["forut_row_shift"][row], 1.0, 2.0)
        code[u < m["forut_p_dont_know"]] = DONT_KNOW
        code[(u >= m["forut_p_dont_know"]) & (u < m["forut_p_dont_know"] + m["forut_p_blank"])] = (
            np.nan
        )
        out[f"forut_{row}"] = code
        n_ja += code == 1

    # competence latent
    cat_eff = np.array([m["cat_effect"][c] for c in CATEGORIES])[cat]
    size_eff = np.array(
        [m["size_effect"][c] for c in SIZE_CLASSES] + [m["size_effect"]["unknown"]]
    )[size]
    uniq, inv = np.unique(clusters, return_inverse=True)
    u_m = rng.normal(0.0, m["sd_municipality"], len(uniq))[inv] * (clusters >= 0)
    eta = (
        cat_eff
        + size_eff
        + m["forut_effect_per_ja"] * (n_ja - 2)
        + m["wave_effect"][str(wave_year)]
        + u_m
        + rng.normal(0.0, m["sd_noise"], n)
    )

    # background
    out["utleiertype"] = d["utype"].astype(float)
    p_ant = np.array([_ANTALL[c] for c in range(3)])[cat]
    shift = np.where((cat == 0) & (size == 2), 1, np.where((cat == 0) & (size == 0), -1, 0))
    ant = 1 + (rng.random(n)[:, None] > np.cumsum(p_ant, axis=1)[:, :3]).sum(axis=1)
    out["antall_boliger"] = blanks(np.clip(ant + shift * (rng.random(n) < 0.6), 1, 4), 0.03, 0.01)
    rolle = 1 + (rng.random(n)[:, None] > np.cumsum(_ROLLE)[:4]).sum(axis=1)
    out["rolle"] = blanks(rolle, 0.0, 0.01)
    mg = np.column_stack([rng.random(n) < np.array(p)[cat] for p in _MALGRUPPER.values()])
    none = ~mg.any(axis=1)
    mg[
        none,
        np.array([np.argmax([p[c] for p in _MALGRUPPER.values()]) for c in cat[none]], dtype=int),
    ] = True
    for j, opt in enumerate(_MALGRUPPER):
        out[f"malgrupper_{opt}"] = mg[:, j].astype(float)

    # attitude and participation
    att = 0.4 * eta + rng.normal(0.0, 0.9, n)
    part = 0.5 * eta + 0.3 * att + rng.normal(0.0, 0.8, n)
    formed = np.column_stack([rng.random(n) < _logistic(a + part) for a in _FORMER.values()])
    ingen = ~formed.any(axis=1)
    for j, opt in enumerate(_FORMER):
        out[f"former_{opt}"] = formed[:, j].astype(float)
    out["former_ingen"] = ingen.astype(float)
    for row, shift_r in _NIVA.items():
        code = _ordinal(part + shift_r + rng.normal(0.0, 0.8, n), _NIVA_CUTS, 0).astype(float)
        code = np.where(ingen, np.minimum(code, 1), code)
        p_na = np.full(n, 0.05)
        if row == "tildeling":
            p_na = np.where(cat > 0, 0.35, 0.05)
        elif row == "rehabilitering":
            p_na = np.full(n, 0.08)
        u = rng.random(n)
        code[u < p_na] = DONT_KNOW
        code[(u >= p_na) & (u < p_na + 0.02)] = np.nan
        out[f"niva_{row}"] = code

    # competence items
    rows = _KOMP_V1 + (("digitalt",) if version == 2 else ())
    block_blank = rng.random(n) < m["p_block_blank"]
    for row in rows:
        y = m["komp_loading"] * eta + m["komp_shift"][row] + rng.normal(0.0, 1.0, n)
        code = blanks(_ordinal(y, m["komp_cuts"], 1), m["p_dont_know"], m["p_blank"])
        code[block_blank] = np.nan
        out[f"komp_{row}"] = code
    for row, shift_h in _HOLD.items():
        sign = -1.0 if row == "tidsbruk" else 1.0
        y = sign * 0.9 * att + shift_h + rng.normal(0.0, 1.0, n)
        out[f"hold_{row}"] = blanks(_ordinal(y, m["komp_cuts"], 1), m["p_dont_know"], m["p_blank"])
    # barriers: 0-3 options
    k = (rng.random(n)[:, None] > np.cumsum([0.04, 0.20, 0.36])).sum(axis=1)
    logw = np.tile(np.array(list(_BARRIERER.values())), (n, 1))
    opts = list(_BARRIERER)
    logw[:, opts.index("ressurser")] += 0.4 * (cat == 0)
    logw[:, opts.index("sprak")] += 0.5 * (cat == 0)
    logw[:, opts.index("metoder")] += -0.5 * eta
    chosen = _topk_mask(rng, logw, k)
    for j, opt in enumerate(opts):
        out[f"barrierer_{opt}"] = chosen[:, j].astype(float)

    # needs
    themes = list(_BEHOV_ALPHA)
    lin = np.column_stack(
        [
            _BEHOV_ALPHA[t]
            - _BEHOV_GAMMA[t] * eta
            + np.array(_BEHOV_BUMP.get(t, (0.0, 0.0, 0.0)))[cat]
            for t in themes
        ]
    )
    want = rng.random((n, len(themes))) < _logistic(lin)
    for j, t in enumerate(themes):
        out[f"behov_{t}"] = want[:, j].astype(float)
    keys = np.where(want, np.log(_logistic(lin)) + rng.gumbel(size=lin.shape), -np.inf)
    out["behov_viktigst"] = np.where(want.any(axis=1), keys.argmax(axis=1) + 1.0, np.nan)
    for opt, p in _FORMAT.items():
        out[f"format_{opt}"] = (rng.random(n) < p).astype(float)

    # free text (harmless sentences; personal data is planted separately)
    out["eksempel"] = np.where(
        rng.random(n) < 0.30,
        np.array(_EKSEMPEL, dtype=object)[rng.integers(0, len(_EKSEMPEL), n)],
        "",
    )
    out["kommentar"] = np.where(
        rng.random(n) < 0.12,
        np.array(_KOMMENTAR, dtype=object)[rng.integers(0, len(_KOMMENTAR), n)],
        "",
    )
    out["_breakoff"] = (rng.random(n) < m["p_breakoff_v2"]) if version == 2 else np.zeros(n, bool)
    return out


# ==============================================================================================
# Scores (the instrument's rules, used for the Monte Carlo truth)
# ==============================================================================================


def _mean_rescaled(block: np.ndarray, min_valid: int, lo: float, hi: float) -> np.ndarray:
    valid = (block >= lo) & (block <= hi)
    count = valid.sum(axis=1)
    total = np.where(valid, block, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    return np.where(count >= min_valid, (mean - lo) / (hi - lo) * 100.0, np.nan)


def _scores(a: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """kompetanse (7 common komp rows), holdning, niva, forutsetninger per instrument.md."""
    komp = np.column_stack([a[f"komp_{r}"] for r in _KOMP_V1])
    hold = np.column_stack([a[f"hold_{r}"] for r in _HOLD])
    tid = list(_HOLD).index("tidsbruk")
    sub = (hold[:, tid] >= 1) & (hold[:, tid] <= 5)
    hold[:, tid] = np.where(sub, 6 - hold[:, tid], hold[:, tid])
    niva = np.column_stack([a[f"niva_{r}"] for r in _NIVA])
    nvalid = (niva >= 0) & (niva <= 5)
    ncount = nvalid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        niva_mean = np.where(nvalid, niva, 0.0).sum(axis=1) / ncount
    forut = np.column_stack([a[f"forut_{r}"] for r in _FORUT_ROWS])
    invalid = ((forut == DONT_KNOW) | np.isnan(forut)).sum(axis=1)
    return {
        "kompetanse": _mean_rescaled(komp, 4, 1, 5),
        "holdning": _mean_rescaled(hold, 3, 1, 5),
        "niva": np.where(ncount >= 3, niva_mean, np.nan),
        "forutsetninger": np.where(invalid >= 3, np.nan, (forut == 1).sum(axis=1).astype(float)),
    }


# ==============================================================================================
# Monte Carlo ground truth
# ==============================================================================================


def _simulate_many(seed: int, fa: _FrameArrays, *, wave_year: int, version: int, n_target: int):
    rng = _rng(seed, "mc", wave_year)
    parts = []
    total = 0
    rep = 0
    while total < n_target:
        d = _design(rng, fa)
        d["cluster"] = np.where(d["muni"] >= 0, rep * len(fa.codes) + d["muni"], -1)
        d["cluster"] = np.where(d["cat"] == 0, d["cluster"], -1)
        parts.append(d)
        total += len(d["muni"])
        rep += 1
    d = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    ans = _answers(rng, d, wave_year=wave_year, version=version, clusters=d["cluster"])
    return d, ans, rep


def _mean_entry(x: np.ndarray) -> tuple[float, float, int]:
    x = x[~np.isnan(x)]
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))), len(x)


def _ols_coef(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    sigma2 = resid @ resid / (len(y) - X.shape[1])
    cov = sigma2 * np.linalg.inv(X.T @ X)
    return beta, np.sqrt(np.diag(cov))


def _truth_entries(d, ans, *, wave: str) -> tuple[list[dict], dict]:
    sc = _scores(ans)
    komp = sc["kompetanse"]
    cat = d["cat"]
    entries: list[dict] = []

    def add(id_, description, estimand, value, se, n):
        entries.append(
            {
                "id": id_,
                "description": description,
                "estimand": estimand,
                "value": round(value, 4),
                "mc_se": round(se, 4),
                "mc_n": int(n),
            }
        )

    for score in ("kompetanse", "holdning", "niva", "forutsetninger"):
        v, se, n = _mean_entry(sc[score])
        scale = (
            "0–5" if score == "niva" else ("0–5 (count)" if score == "forutsetninger" else "0–100")
        )
        add(
            f"mean_{score}_total",
            f"Mean {score} ({scale}), all respondents of {wave}",
            {"kind": "mean", "score": score, "group_var": "total", "group": "total"},
            v,
            se,
            n,
        )
    for c, name in enumerate(CATEGORIES):
        v, se, n = _mean_entry(komp[cat == c])
        add(
            f"mean_kompetanse_{name}",
            f"Mean kompetanse (0–100) among {name} landlords",
            {"kind": "mean", "score": "kompetanse", "group_var": "utleierkategori", "group": name},
            v,
            se,
            n,
        )
    a_v, a_se, a_n = _mean_entry(komp[cat == 2])
    b_v, b_se, b_n = _mean_entry(komp[cat == 0])
    add(
        "diff_kompetanse_kommersiell_kommunal",
        "Difference in mean kompetanse, kommersiell minus kommunal",
        {
            "kind": "mean_difference",
            "score": "kompetanse",
            "group_var": "utleierkategori",
            "a": "kommersiell",
            "b": "kommunal",
        },
        a_v - b_v,
        float(np.hypot(a_se, b_se)),
        a_n + b_n,
    )
    big = (cat == 0) & (d["size"] == 2)
    small = (cat == 0) & (d["size"] == 0)
    a_v, a_se, a_n = _mean_entry(komp[big])
    b_v, b_se, b_n = _mean_entry(komp[small])
    add(
        "diff_kompetanse_storrelse_kommunal",
        "Difference in mean kompetanse among municipal units, municipalities of 20 000+ minus under 5 000",
        {
            "kind": "mean_difference",
            "score": "kompetanse",
            "group_var": "storrelse",
            "a": "20 000+",
            "b": "under 5 000",
            "subset": {"utleierkategori": "kommunal"},
        },
        a_v - b_v,
        float(np.hypot(a_se, b_se)),
        a_n + b_n,
    )
    # population least-squares coefficient of forutsetninger, adjusted for category and size
    forut = sc["forutsetninger"]
    ok = ~np.isnan(komp) & ~np.isnan(forut)
    size = d["size"][ok]
    X = np.column_stack(
        [np.ones(ok.sum()), forut[ok], cat[ok] == 1, cat[ok] == 2, size == 1, size == 2, size == -1]
    ).astype(float)
    beta, se = _ols_coef(komp[ok], X)
    add(
        "slope_kompetanse_forutsetninger",
        "Change in kompetanse per extra forutsetning answered Ja: the least-squares coefficient of "
        "forutsetninger in kompetanse ~ forutsetninger + utleierkategori + storrelse (a missing "
        "storrelse, i.e. no kommunenummer, as its own level), over respondents with both scores",
        {
            "kind": "regression_coefficient",
            "score": "kompetanse",
            "term": "forutsetninger",
            "formula": "kompetanse ~ forutsetninger + C(utleierkategori) + C(storrelse, missing as level)",
            "group_var": None,
        },
        float(beta[1]),
        float(se[1]),
        int(ok.sum()),
    )
    # theme shares among respondents who answered the behov question
    answered = ~np.isnan(ans["behov_metoder"]) & ~ans["_breakoff"]
    for t in _BEHOV_ALPHA:
        x = ans[f"behov_{t}"][answered]
        p = float(x.mean())
        add(
            f"share_behov_{t}",
            f"Share choosing the seminar theme behov_{t} (among those answering behov)",
            {
                "kind": "proportion",
                "item": f"behov_{t}",
                "success": [1],
                "group_var": "total",
                "group": "total",
            },
            p,
            float(np.sqrt(p * (1 - p) / len(x))),
            len(x),
        )
    means = {
        "kompetanse_total": _mean_entry(komp),
        "kompetanse_kommunal": _mean_entry(komp[cat == 0]),
    }
    return entries, means


def _ground_truths(seed: int, frame: pd.DataFrame) -> dict[str, dict]:
    fa = _FrameArrays(frame)
    out: dict[str, dict] = {}
    means = {}
    for wave, spec in WAVES.items():
        d, ans, reps = _simulate_many(
            seed, fa, wave_year=spec["year"], version=spec["version"], n_target=MC_RESPONDENTS
        )
        entries, means[wave] = _truth_entries(d, ans, wave=wave)
        out[wave] = {"entries": entries, "n": len(d["cat"]), "replicates": reps}
    older, newer = list(WAVES)
    for key, label in (
        ("kompetanse_total", "all respondents"),
        ("kompetanse_kommunal", "municipal units"),
    ):
        (a_v, a_se, a_n), (b_v, b_se, b_n) = means[newer][key], means[older][key]
        group = "total" if key.endswith("total") else "kommunal"
        out[newer]["entries"].append(
            {
                "id": f"change_{key}",
                "description": f"Change in mean kompetanse (0–100, the seven rows both versions share), "
                f"{newer} minus {older}, {label}",
                "estimand": {
                    "kind": "wave_difference",
                    "score": "kompetanse",
                    "a": newer,
                    "b": older,
                    "group_var": "total" if group == "total" else "utleierkategori",
                    "group": group,
                },
                "value": round(a_v - b_v, 4),
                "mc_se": round(float(np.hypot(a_se, b_se)), 4),
                "mc_n": int(a_n + b_n),
            }
        )
    return out


# ==============================================================================================
# Personal data to plant
# ==============================================================================================


def _fodselsnummer(rng: np.random.Generator) -> str:
    """A fødselsnummer with valid mod-11 control digits (born 1950–1989, individual no. < 500)."""
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        day, month, year = (
            int(rng.integers(1, 29)),
            int(rng.integers(1, 13)),
            int(rng.integers(50, 90)),
        )
        base = f"{day:02d}{month:02d}{year:02d}{int(rng.integers(0, 500)):03d}"
        k1 = (11 - sum(int(c) * w for c, w in zip(base, w1, strict=True)) % 11) % 11
        if k1 == 10:
            continue
        k2 = (11 - sum(int(c) * w for c, w in zip(base + str(k1), w2, strict=True)) % 11) % 11
        if k2 == 10:
            continue
        return f"{base}{k1}{k2}"


# ==============================================================================================
# Writing the waves
# ==============================================================================================


def _sample_wave(seed: int, fa: _FrameArrays, wave: str) -> tuple[pd.DataFrame, dict]:
    """The respondents of one demo wave as a canonical DataFrame (before planting)."""
    spec = WAVES[wave]
    rng_d = _rng(seed, "design", spec["year"])
    d = _design(rng_d, fa)
    clusters = np.where((d["muni"] >= 0) & (d["cat"] == 0), d["muni"], -1)
    ans = _answers(
        _rng(seed, "answers", spec["year"]),
        d,
        wave_year=spec["year"],
        version=spec["version"],
        clusters=clusters,
    )
    breakoff = ans.pop("_breakoff")
    df = pd.DataFrame(ans)
    recode = load_codebook(spec["version"]).recode_from.get("utleiertype", {}).get(FIRST)
    if recode:
        df["utleiertype"] = df["utleiertype"].astype(int).map(recode).astype(float)
    df.insert(1, "kommunenummer", np.where(d["muni"] >= 0, fa.codes[np.maximum(d["muni"], 0)], ""))
    return df, {"breakoff": breakoff, "design": d}


def _entry(kind: str, df: pd.DataFrame, pos: int, id_col: str, **extra) -> dict:
    return {
        "kind": kind,
        "source_row": pos + 1,
        "submission_id": str(df.iloc[pos][id_col]),
        **extra,
    }


def _plant_common(rng, df: pd.DataFrame, rows: dict[str, int], *, phone: str) -> dict[str, dict]:
    """Plant e-mail, phone and national id number in free text (rows chosen by the caller)."""
    fnr = _fodselsnummer(rng)
    email = "kari.nordmann@example.com"
    texts = {
        "email": (
            "eksempel",
            f"Ta gjerne kontakt med Kari Nordmann på {email} for mer om beboerrådet.",
            email,
        ),
        "phone": ("kommentar", f"Ring meg gjerne på {phone} om dere vil vite mer.", phone),
        "national_id": (
            "kommentar",
            f"En leietaker (fnr {fnr}) klaget på prosessen, så vi endret rutinene.",
            fnr,
        ),
    }
    planted = {}
    for kind, (col, text, value) in texts.items():
        df.iat[rows[kind], df.columns.get_loc(col)] = text
        planted[kind] = {"column": col, "value": value, "text": text}
    return planted


def _pick_rows(rng, candidates: np.ndarray, k: int) -> list[int]:
    return [int(x) for x in rng.choice(candidates, size=k, replace=False)]


def _build_2022(seed: int, fa: _FrameArrays) -> tuple[pd.DataFrame, list[dict]]:
    df, _ = _sample_wave(seed, fa, "demo-2022")
    rng = _rng(seed, "plants", 2022)
    srng = _rng(seed, "system", 2022)
    n = len(df)
    ids = 26_000_000 + int(srng.integers(100_000, 900_000)) + np.cumsum(srng.integers(1, 60, n + 1))
    answer_ms = np.round(np.exp(srng.normal(np.log(420_000), 0.5, n + 1))).astype(int)

    capital_rows = np.flatnonzero(
        (df["kommunenummer"].to_numpy() == CAPITAL_CODE) & (df["utleiertype"].to_numpy() <= 3)
    )  # a city district or agency
    with_forms = np.flatnonzero((df["former_ingen"] == 0).to_numpy())
    row_301 = _pick_rows(rng, capital_rows, 1)[0]
    rest = np.setdiff1d(np.arange(n), [row_301])
    picks = _pick_rows(rng, np.intersect1d(rest, with_forms), 1)
    rest = np.setdiff1d(rest, picks)
    row_ingen = picks[0]
    row_dup, row_range, row_barr, row_mail, row_phone, row_fnr = _pick_rows(rng, rest, 6)

    df.iat[row_301, df.columns.get_loc("kommunenummer")] = "301"
    df.iat[row_range, df.columns.get_loc("komp_mote")] = 7.0
    df.iat[row_ingen, df.columns.get_loc("former_ingen")] = 1.0
    barr_cols = [c for c in df.columns if c.startswith("barrierer_")]
    four = [barr_cols[i] for i in sorted(rng.choice(len(barr_cols) - 1, size=4, replace=False))]
    df.loc[df.index[row_barr], barr_cols] = 0.0
    df.loc[df.index[row_barr], four] = 1.0
    pii = _plant_common(
        rng,
        df,
        {"email": row_mail, "phone": row_phone, "national_id": row_fnr},
        phone="+47 912 34 567",
    )

    # the exact duplicate: the same answers submitted again later, with a new submission id
    insert_at = int(rng.integers(row_dup + 1, n + 1))
    marks = np.full(n, "", dtype=object)
    for name, r in (
        ("301", row_301),
        ("range", row_range),
        ("ingen", row_ingen),
        ("barr", row_barr),
        ("email", row_mail),
        ("phone", row_phone),
        ("national_id", row_fnr),
        ("orig", row_dup),
    ):
        marks[r] = name
    df["_mark"] = marks
    dup = df.iloc[[row_dup]].assign(_mark="dup")
    df = pd.concat([df.iloc[:insert_at], dup, df.iloc[insert_at:]], ignore_index=True)
    df.insert(0, "$submission_id", ids[: len(df)].astype(str))
    df["$created"] = ""
    df["$answer_time_ms"] = answer_ms[: len(df)].astype(str)

    pos = {
        m: int(np.flatnonzero(df["_mark"].to_numpy() == m)[0])
        for m in ("301", "range", "ingen", "barr", "email", "phone", "national_id", "orig", "dup")
    }
    df = df.drop(columns="_mark")
    sid = "$submission_id"
    planted = [
        _entry(
            "duplicate",
            df,
            pos["dup"],
            sid,
            duplicate_of={
                "source_row": pos["orig"] + 1,
                "submission_id": str(df.iloc[pos["orig"]][sid]),
            },
            description="exact duplicate: every item answer equals an earlier submission's",
        ),
        _entry(
            "out_of_range",
            df,
            pos["range"],
            sid,
            column="komp_mote",
            source_column="komp.mote",
            value=7,
            description="code 7 on a 1–5/9 scale",
        ),
        _entry(
            "kommunenummer_leading_zero",
            df,
            pos["301"],
            sid,
            column="kommunenummer",
            source_column="kommunenummer",
            value="301",
            repaired="0301",
            description="leading zero of 0301 lost",
        ),
        _entry(
            "ingen_conflict",
            df,
            pos["ingen"],
            sid,
            column="former_ingen",
            source_column="former.ingen",
            other_forms=[
                c
                for c in df.columns
                if c.startswith("former_") and c != "former_ingen" and df.iloc[pos["ingen"]][c] == 1
            ],
            description="'Ingen' ticked together with another form",
        ),
        _entry(
            "barrierer_over_max",
            df,
            pos["barr"],
            sid,
            columns=[f"barrierer_{c[10:]}" for c in four],
            count=4,
            description="four barriers ticked, at most three allowed",
        ),
    ]
    for kind in ("email", "phone", "national_id"):
        info = pii[kind]
        planted.append(
            _entry(
                kind,
                df,
                pos[kind],
                sid,
                column=info["column"],
                source_column=info["column"],
                value=info["value"],
                description=f"personal data ({kind}) in free text",
            )
        )
    return df, planted


def _to_nettskjema(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns -> Nettskjema headers and text cells ('' for blank)."""
    cb = load_codebook(FIRST)
    out = {"$submission_id": df["$submission_id"]}
    for col in cb.item_columns:
        x = df[col]
        if col in ("kommunenummer", "eksempel", "kommentar"):
            out[cb.source_column(col, "nettskjema")] = x.astype(str)
        else:
            out[cb.source_column(col, "nettskjema")] = x.map(
                lambda v: "" if pd.isna(v) else str(int(v))
            )
    out["$created"] = df["$created"]
    out["$answer_time_ms"] = df["$answer_time_ms"]
    return pd.DataFrame(out)


def _write_nettskjema(table: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.itertuples(index=False, name=None))
    path.write_bytes(buf.getvalue().encode("utf-8"))


def _build_2023(seed: int, fa: _FrameArrays) -> tuple[pd.DataFrame, list[dict]]:
    df, extra = _sample_wave(seed, fa, "demo-2023")
    rng = _rng(seed, "plants", 2023)
    srng = _rng(seed, "system", 2023)
    n = len(df)
    needs = [c for c in df.columns if c.startswith(("barrierer_", "behov_", "format_"))]
    df.loc[extra["breakoff"], needs] = float(USER_MISSING)
    df.loc[extra["breakoff"], ["eksempel", "kommentar"]] = ""
    ok = np.flatnonzero(~extra["breakoff"])
    row_dup, row_mail, row_phone, row_fnr = _pick_rows(rng, ok, 4)
    phone = f"9{int(rng.integers(1_000_000, 9_999_999)):07d}"
    pii = _plant_common(
        rng, df, {"email": row_mail, "phone": row_phone, "national_id": row_fnr}, phone=phone
    )
    marks = np.full(n, "", dtype=object)
    for name, r in (
        ("email", row_mail),
        ("phone", row_phone),
        ("national_id", row_fnr),
        ("orig", row_dup),
    ):
        marks[r] = name
    df["_mark"] = marks
    insert_at = int(rng.integers(row_dup + 1, n + 1))
    dup = df.iloc[[row_dup]].assign(_mark="dup")
    df = pd.concat([df.iloc[:insert_at], dup, df.iloc[insert_at:]], ignore_index=True)
    df.insert(0, "ID", (1000 + np.cumsum(srng.integers(1, 4, len(df)))).astype(float))
    pos = {
        m: int(np.flatnonzero(df["_mark"].to_numpy() == m)[0])
        for m in ("email", "phone", "national_id", "orig", "dup")
    }
    df = df.drop(columns="_mark")

    def sid(p):
        return str(int(df.iloc[p]["ID"]))

    planted = [
        {
            "kind": "duplicate",
            "source_row": pos["dup"] + 1,
            "submission_id": sid(pos["dup"]),
            "duplicate_of": {"source_row": pos["orig"] + 1, "submission_id": sid(pos["orig"])},
            "description": "exact duplicate: every item answer equals an earlier submission's",
        }
    ]
    for kind in ("email", "phone", "national_id"):
        info = pii[kind]
        planted.append(
            {
                "kind": kind,
                "source_row": pos[kind] + 1,
                "submission_id": sid(pos[kind]),
                "column": info["column"],
                "source_column": info["column"],
                "value": info["value"],
                "description": f"personal data ({kind}) in free text",
            }
        )
    planted.append(
        {
            "kind": "user_missing",
            "code": USER_MISSING,
            "label": "Ikke besvart",
            "columns": [load_codebook(FOLLOW_UP).source_column(c, "spss") for c in needs],
            "rows": int(extra["breakoff"].sum()),
            "description": "respondents who broke off before the needs section: declared "
            "user-missing -99 (not answered), distinct from 9 'vet ikke'",
        }
    )
    return df, planted


# fixed header timestamp so that the same seed gives the same bytes (ReadStat writes "now")
_SAV_DATE_OFFSET = 92


def _write_sav(df: pd.DataFrame, path: Path, *, created: str) -> None:
    import pyreadstat

    cb = load_codebook(FOLLOW_UP)
    data = {"ID": df["ID"].astype(float)}
    labels: dict[str, str] = {"ID": "Respondent-ID"}
    value_labels: dict[str, dict] = {}
    missing: dict[str, list] = {}
    measure: dict[str, str] = {"ID": "nominal"}
    fmt: dict[str, str] = {"ID": "F8.0"}
    for col in cb.item_columns:
        name = cb.source_column(col, "spss")
        q, part = cb.locate(col)
        labels[name] = q.text("nb") if part is None else f"{q.text('nb')} [{part.text('nb')}]"
        if q.type == "text":
            data[name] = df[col].astype(str)
            continue
        data[name] = df[col].astype(float)
        vl = {float(k): v for k, v in cb.value_labels(col).items()}
        vl[float(USER_MISSING)] = "Ikke besvart"
        value_labels[name] = vl
        missing[name] = [USER_MISSING]
        measure[name] = "ordinal" if q.type == "matrix" and q.id != "forut" else "nominal"
        fmt[name] = "F3.0"
    table = pd.DataFrame(data)
    pyreadstat.write_sav(
        table,
        str(path),
        file_label="Demo 2023 (syntetiske data)",
        column_labels=labels,
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure=measure,
        variable_format=fmt,
    )
    raw = bytearray(path.read_bytes())
    if raw[:4] != b"$FL2":
        raise RuntimeError(f"{path}: unexpected SPSS header")
    stamp = pd.Timestamp(created).strftime("%d %b %y").encode("ascii") + b"12:00:00"
    raw[_SAV_DATE_OFFSET : _SAV_DATE_OFFSET + 17] = stamp
    path.write_bytes(bytes(raw))


def _json_dump(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_demo(
    seed: int = DEFAULT_SEED, force: bool = False, root: Path | None = None
) -> list[Path]:
    """Write the two synthetic demo waves into ``<root>/data/raw/demo-2022`` and ``demo-2023``.

    Parameters
    ----------
    seed : int
        Random seed; the same seed gives byte-identical files.
    force : bool
        Overwrite existing demo waves (otherwise an existing wave folder is an error).
    root : Path, optional
        Project root (default :func:`analysis.paths.project_root`).

    Returns
    -------
    list of Path
        The files written: per wave the export, ``frame.csv``, ``ground_truth.json`` and
        ``manifest.json``, then the qualitative strand of
        :func:`analysis.questionnaire.qual_demo.write_qual_demo` (notes, coding sheets, truth).

    Raises
    ------
    UserError
        If a wave folder exists and ``force`` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = pathlib.Path(tmp.name)
    >>> len(write_demo(seed=3, root=root))  # per wave: export, frame, truth, manifest, instrument, notes, 3 sheets, qual truth
    21
    >>> write_demo(seed=3, root=root)
    Traceback (most recent call last):
    ...
    analysis.errors.UserError: .../data/raw/demo-2022 already exists: pass --force (force=True) to overwrite the demo waves
    >>> tmp.cleanup()
    """
    from analysis.paths import project_root, raw_dir
    from analysis.questionnaire.qual_demo import write_qual_demo

    root = Path(root) if root is not None else project_root()
    folders = {wave: raw_dir(wave, root) for wave in WAVES}
    if not force:
        for folder in folders.values():
            if folder.exists():
                raise UserError(
                    f"{folder} already exists: pass --force (force=True) to overwrite the demo waves"
                )
    seed = int(seed)
    frame = fictional_frame(seed)
    fa = _FrameArrays(frame)
    truths = _ground_truths(seed, frame)
    builds = {"demo-2022": _build_2022(seed, fa), "demo-2023": _build_2023(seed, fa)}
    written: list[Path] = []
    for wave, spec in WAVES.items():
        folder = folders[wave]
        folder.mkdir(parents=True, exist_ok=True)
        df, planted = builds[wave]
        export = folder / spec["file"]
        if spec["format"] == "nettskjema":
            _write_nettskjema(_to_nettskjema(df), export)
        else:
            _write_sav(df, export, created=spec["fieldwork"][1])
        frame_path = write_frame(frame, folder / FRAME_FILE, year=FRAME_YEAR)
        truth = truths[wave]
        counts = df["utleiertype"].value_counts().sort_index()
        _json_dump(
            {
                "wave": wave,
                "instrument_version": spec["version"],
                "seed": seed,
                "generator": "analysis.questionnaire.demo",
                "synthetic": True,
                "rows": len(df),
                "rows_by_utleiertype": {str(int(k)): int(v) for k, v in counts.items()},
                "method": (
                    f"Monte Carlo: the demo's sample design and generative model (see the "
                    f"analysis.questionnaire.demo docstring) run for {truth['replicates']} replicate samples "
                    f"({truth['n']} simulated respondents) with numpy.random.default_rng([seed, "
                    f"{_STREAM['mc']}, {spec['year']}]), scored with the rules of instrument.md "
                    f"(kompetanse from the seven komp rows both versions share). 'value' is the "
                    f"pooled mean / difference / least-squares coefficient / share over the "
                    f"simulated respondents; 'mc_se' its approximate Monte Carlo standard error "
                    f"(treating simulated respondents as independent). Planted data problems are "
                    f"not part of the model."
                ),
                "model": MODEL,
                "estimands": truth["entries"],
                "planted_problems": planted,
            },
            folder / TRUTH_FILE,
        )
        manifest = Manifest(
            wave=wave,
            source_file=spec["file"],
            format=spec["format"],
            instrument_version=spec["version"],
            sha256=sha256_file(export),
            source=f"Synthetic demo (analysis.questionnaire.demo, seed {seed})",
            received=spec["received"],
            design="convenience",
            frame_file=FRAME_FILE,
            frame_sha256=sha256_file(frame_path),
            fieldwork_start=spec["fieldwork"][0],
            fieldwork_end=spec["fieldwork"][1],
            survey={**spec["survey"], "invited": dict(spec["survey"]["invited"])},
            notes="Fictional data and municipalities; true values in ground_truth.json.",
            instrument={
                "version": spec["version"],
                "files": copy_instrument(load_codebook(spec["version"]), folder),
            },
        )
        written += [export, frame_path, folder / TRUTH_FILE, manifest.write(folder)]
        written += [folder / f for f in manifest.instrument["files"]]
        # the qualitative strand (meeting notes, coding sheets): its own random stream
        written += write_qual_demo(wave, seed=seed, year=spec["year"], root=root)
    return written
