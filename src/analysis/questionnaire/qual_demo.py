"""The demo's qualitative strand: meeting notes, two coders and a reconciled sheet, ground truth.

For each demo wave, :func:`write_qual_demo` (called by :func:`analysis.questionnaire.demo.write_demo`
after the wave's export and manifest exist) writes

- ``notes/innspillsmote_<year>.docx``: fictional notes of an input meeting, registered like
  ``python -m analysis notes add`` does, with **planted personal data** that must never pass the
  door: a participant line (``Deltakere:``/``Til stede:``) with fictional names, a minute-taker
  line, an e-mail address and a phone number (:data:`PLANTED`);
- ``coding/koder_a.xlsx``, ``coding/koder_b.xlsx`` (two coders) and ``coding/final.xlsx`` (the
  reconciled coding, with approved quotes), registered with their checksums;
- ``qual_ground_truth.json``: the true codes behind the coding, the code frequencies they imply
  (meeting paragraphs; free-text respondents overall and by landlord category), the 2x2 tables of
  the two coders per code, and the approved quotes.

The true coding is written by hand: each notes paragraph and each free-text sentence of the demo
has its codes (:data:`FREE_TEXT_CODES`). The segments are found exactly as ingest finds them (the
export is read and processed in memory with the real loader, ingest rules and segmentation), so
segment ids match. The coders are the truth with a few disagreements: each coder flips each
decision with a small probability, drawn from its own random stream
(``default_rng([seed, 50, year, coder])``), so the survey's random draws are untouched and the
demo survey data stay byte-identical. Files are byte-identical for the same seed (fixed zip
timestamps and document properties).
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

#: Separate random stream of the qualitative demo (the survey uses 1-40 and 9000).
QUAL_STREAM = 50
CODERS = {"koder_a": 0.02, "koder_b": 0.035}  # probability of flipping one decision
FINAL = "final"
TRUTH_FILE = "qual_ground_truth.json"
_FIXED = (2020, 1, 1, 0, 0, 0)

#: Codes of the demo's free-text sentences (survey ``eksempel``/``kommentar`` and planted texts),
#: keyed by the sentence's start (planted texts carry personal data after it).
FREE_TEXT_CODES: dict[str, tuple[str, ...]] = {
    "Vi har faste beboermøter to ganger i året": ("tema_metoder",),
    "Beboerne var med og planla det nye uteområdet": ("tema_metoder", "tema_bomiljotiltak"),
    "Vi spurte alle leietakerne før vi endret husordensreglene": (
        "tema_metoder",
        "tema_husleierett",
    ),
    "Et beboerråd har fått et eget budsjett": ("tema_beboerrad", "tema_bomiljotiltak"),
    "Ved rehabiliteringen hadde vi åpne møter": ("tema_metoder",),
    "Vi bruker tolk på beboermøter": ("tema_inkludering", "hinder_sprak"),
    "Leietakerne får en oppsummering av hva innspillene førte til": ("tema_kommunikasjon",),
    "Vi samarbeider med frivillige om dugnader": ("tema_bomiljotiltak",),
    "Fint at dette temaet blir tatt opp": (),
    "Vi trenger mer tid og ressurser": ("hinder_tid", "hinder_ressurser"),
    "Spørsmålene passet ikke helt": (),
    "Ser fram til seminarene": (),
    "Vanskelig å svare for hele kommunen": (),
    "Ta gjerne kontakt med Kari Nordmann": ("tema_beboerrad",),
    "Ring meg gjerne på": (),
    "En leietaker (fnr": ("tema_konflikt",),
}
#: Free-text sentences a researcher approved as quotes (harmless, no personal data).
QUOTABLE = ("Vi bruker tolk på beboermøter", "Leietakerne får en oppsummering")

_NAMES_2022 = (
    "Per Hansen (Demostad kommune)",
    "Lise Berg (Bydel Nord)",
    "Amir Khan (Boligstiftelsen Demo)",
    "Siri Dahl (Utleie Demo AS)",
    "Jon Moe (Leieboerforeningen)",
    "Eva Lund (VID)",
    "Nora Strand (Demostad kommune)",
)
_NAMES_2023 = (
    "Per Hansen",
    "Maja Holm",
    "Ali Hassan",
    "Siri Dahl",
    "Ivar Lie",
    "Tone Vik",
)
#: Personal data planted in the notes (never to pass the door).
PLANTED = {
    "demo-2022": {
        "names": [n.split(" (")[0] for n in _NAMES_2022] + ["Ola Nordmann"],
        "email": "seminar.demostad@example.no",
        "phone": "+47 976 54 321",
    },
    "demo-2023": {
        "names": list(_NAMES_2023) + ["Kari Holm", "Geir Nilsen"],
        "email": "medvirkning@demostad.example.no",
        "phone": "41 23 45 67",
    },
}

# (kind, text, codes, quote): kind "h" heading, "p" paragraph, "x" removed at the door
_NOTES = {
    "demo-2022": [
        ("h", "Innspillsmøte om seminarserien", (), False),
        ("p", "Dato: 20. oktober 2022. Sted: Demostad rådhus.", (), False),
        ("x", "Deltakere: " + ", ".join(_NAMES_2022), (), False),
        ("x", "Referent: Ola Nordmann", (), False),
        ("h", "Hva fungerer i dag?", (), False),
        (
            "p",
            "Flere fortalte om faste beboermøter, men at det er de samme leietakerne som kommer hver gang.",
            ("tema_metoder", "hinder_lav_interesse"),
            True,
        ),
        (
            "p",
            "Det var enighet om at leietakere som sjelden deltar, må nås på andre måter, for eksempel med tolk og hjemmebesøk.",
            ("tema_inkludering", "hinder_sprak"),
            True,
        ),
        (
            "p",
            "Et beboerråd i Bydel Nord har fått eget budsjett, og det har gitt mer aktivitet i bomiljøet.",
            ("tema_beboerrad", "tema_bomiljotiltak"),
            False,
        ),
        ("h", "Hva er vanskelig?", (), False),
        (
            "p",
            "Mange pekte på at medvirkning er tidkrevende, og at det mangler ressurser til oppfølging.",
            ("hinder_tid", "hinder_ressurser"),
            True,
        ),
        (
            "p",
            "Konflikter mellom naboer tar mye av tiden til bomiljøarbeiderne.",
            ("tema_konflikt", "hinder_konflikter"),
            False,
        ),
        (
            "p",
            "Leietakerne får sjelden vite hva innspillene førte til.",
            ("tema_kommunikasjon",),
            False,
        ),
        ("h", "Ønsker til seminarene", (), False),
        (
            "p",
            "Deltakerne ønsket seminarer om konflikthåndtering og om husleieloven.",
            ("tema_konflikt", "tema_husleierett"),
            False,
        ),
        (
            "p",
            "Det ble også foreslått en økt om hvordan man kan evaluere medvirkningsarbeidet.",
            ("tema_evaluering",),
            False,
        ),
        (
            "p",
            "Påmelding til arbeidsgruppen skjer til {email} eller på telefon {phone}.",
            (),
            False,
        ),
    ],
    "demo-2023": [
        ("h", "Innspillsmøte 2023", (), False),
        ("p", "Dato: 19. oktober 2023. Sted: Demostad bibliotek.", (), False),
        ("x", "Til stede:", (), False),
        *[("x", name, (), False) for name in _NAMES_2023],
        ("x", "Forfall: Kari Holm og Geir Nilsen", (), False),
        ("h", "Erfaringer siden i fjor", (), False),
        (
            "p",
            "Flere har prøvd digitale kanaler og spørreundersøkelser, med blandet erfaring.",
            ("tema_metoder",),
            True,
        ),
        (
            "p",
            "Organisering av beboerråd i nye bygg ble trukket fram som et behov.",
            ("tema_beboerrad",),
            True,
        ),
        (
            "p",
            "Det er fortsatt vanskelig å nå leietakere som sjelden deltar.",
            ("tema_inkludering",),
            False,
        ),
        (
            "p",
            "Ledelsen må forankre arbeidet, ellers blir det bare enkeltprosjekter.",
            ("hinder_forankring",),
            False,
        ),
        (
            "p",
            "Kommunikasjon med leietakerne om rehabilitering må bli bedre.",
            ("tema_kommunikasjon",),
            False,
        ),
        ("h", "Ønsker", (), False),
        ("p", "Kurs i husleierett for nyansatte ble nevnt av mange.", ("tema_husleierett",), False),
        (
            "p",
            "Noen ønsket verktøy for å evaluere og måle effekten av medvirkning.",
            ("tema_evaluering", "tema_metoder"),
            False,
        ),
        ("p", "Spørsmål kan sendes til {email}, eller ring {phone}.", (), False),
    ],
}


def _normalise_zip(path: Path) -> None:
    """Rewrite a zip (docx/xlsx) with fixed timestamps and order, so the bytes are reproducible."""
    with zipfile.ZipFile(path) as zin:
        items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    stamp = rb"\g<1>2020-01-01T00:00:00Z\g<2>"
    items = [
        (name, re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", stamp, data))
        if name == "docProps/core.xml"
        else (name, data)
        for name, data in items
    ]
    tmp = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=_FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    tmp.replace(path)


def _write_notes_docx(wave: str, path: Path) -> None:
    import docx

    planted = PLANTED[wave]
    d = docx.Document()
    props = d.core_properties
    props.author, props.last_modified_by, props.title = "", "", "Innspillsmøte (demo)"
    props.created = props.modified = datetime(2020, 1, 1)
    props.revision = 1
    for kind, text, _, _ in _NOTES[wave]:
        text = text.format(**planted)
        if kind == "h":
            d.add_heading(text, level=1)
        elif kind == "x" and not text.endswith(":") and ":" not in text:
            d.add_paragraph(text, style="List Bullet")  # a name in the list after "Til stede:"
        else:
            d.add_paragraph(text)
    d.save(path)
    _normalise_zip(path)


def _truth_codes(segments: pd.DataFrame, wave: str) -> dict[str, tuple[str, ...]]:
    from analysis.clean.privacy import redact

    planted = PLANTED[wave]
    notes = {
        redact(text.format(**planted))[0]: codes
        for kind, text, codes, _ in _NOTES[wave]
        if kind == "p"
    }
    out = {}
    for r in segments.itertuples(index=False):
        if r.source == "meeting":
            codes = notes.get(r.text)
        else:
            codes = next((c for k, c in FREE_TEXT_CODES.items() if r.text.startswith(k)), None)
        if codes is None:  # pragma: no cover - a bug in the demo, never input
            raise RuntimeError(f"demo: no true codes for segment {r.segment_id}: {r.text!r}")
        out[r.segment_id] = codes
    return out


def _quotes(segments: pd.DataFrame, wave: str) -> set[str]:
    from analysis.clean.privacy import redact

    planted = PLANTED[wave]
    notes = {redact(t.format(**planted))[0] for k, t, _, q in _NOTES[wave] if k == "p" and q}
    out = set(
        segments.loc[segments["source"].eq("meeting") & segments["text"].isin(notes), "segment_id"]
    )
    ft = segments[segments["source"].eq("free_text") & segments["group"].eq("kommunal")]
    for start in QUOTABLE:  # the first such answer of a municipal respondent
        hit = ft[ft["text"].str.startswith(start)]
        if len(hit):
            out.add(hit["segment_id"].iloc[0])
    return out


def _segments(wave: str, root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments exactly as ingest will find them (export processed in memory)."""
    from analysis import paths
    from analysis.clean.ingest import process_export
    from analysis.clean.segments import build_segments
    from analysis.io.loaders import read_export
    from analysis.io.manifest import Manifest

    raw = paths.raw_dir(wave, root)
    m = Manifest.read(raw)
    loaded = read_export(raw / m.source_file, fmt=m.format, version=int(m.instrument_version))
    responses, _, _ = process_export(loaded, wave=wave, frame=None)
    segments, _ = build_segments(wave, responses, root=root)
    return segments, responses


def _register_sheet(raw: Path, coder: str, src: Path) -> Path:
    from analysis.clean.notes import copy_read_only, write_manifest_atomic
    from analysis.io.manifest import Manifest, sha256_file
    from analysis.qual.sheets import CODING_DIR, ROLE_PREFIX

    rel = f"{CODING_DIR}/{coder}.xlsx"
    copy_read_only(src, raw / rel)
    m = Manifest.read(raw)
    m.extra_files[ROLE_PREFIX + coder] = rel
    m.extra_sha256[rel] = sha256_file(raw / rel)
    write_manifest_atomic(m, raw)
    return raw / rel


def write_qual_demo(wave: str, *, seed: int, year: int, root: Path) -> list[Path]:
    """Write and register the qualitative demo of one demo wave (see the module docstring).

    Returns the files written (notes, three sheets, ground truth).
    """
    from analysis import paths
    from analysis.clean.notes import add_notes
    from analysis.qual.codeframe import frame_for_wave
    from analysis.qual.sheets import write_sheet

    raw = paths.raw_dir(wave, root)
    for sub in ("notes", "coding"):  # a rewritten demo wave starts without its old notes/sheets
        if (raw / sub).is_dir():
            for f in (raw / sub).iterdir():
                f.chmod(0o644)
                f.unlink()
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        notes = tmp / f"innspillsmote_{year}.docx"
        _write_notes_docx(wave, notes)
        written.append(add_notes(wave, notes, root=root))
        segments, responses = _segments(wave, root)
        frame = frame_for_wave(wave, root=root)
        truth = _truth_codes(segments, wave)
        ids = list(frame.ids)
        T = pd.DataFrame(0, index=segments["segment_id"], columns=ids, dtype="int64")
        for sid, codes in truth.items():
            T.loc[sid, list(codes)] = 1
        quotes = _quotes(segments, wave)
        codings = {}
        for k, (coder, p_flip) in enumerate(CODERS.items()):
            rng = np.random.default_rng([int(seed), QUAL_STREAM, int(year), k])
            flips = rng.random(T.shape) < p_flip
            codings[coder] = pd.DataFrame(
                np.where(flips, 1 - T.to_numpy(), T.to_numpy()), index=T.index, columns=ids
            )
        final = T.copy()
        final["quote"] = [int(s in quotes) for s in T.index]
        codings[FINAL] = final
        for coder, coding in codings.items():
            path = tmp / f"{coder}.xlsx"
            write_sheet(segments, frame, path, coding=coding)
            _normalise_zip(path)
            written.append(_register_sheet(raw, coder, path))
    # ground truth: frequencies of the true coding, the coders' 2x2 tables, quotes
    seg = segments.set_index("segment_id")
    ft = seg[seg["source"] == "free_text"]
    cats = responses.set_index("response_id")["utleierkategori"].astype(str)
    freq = {}
    for code in ids:
        meet = T.loc[seg.index[seg["source"] == "meeting"], code]
        hit = T.loc[ft.index, code].groupby(ft["response_id"]).max()
        by = hit.groupby(cats.reindex(hit.index)).agg(["size", "sum"])
        freq[code] = {
            "meeting_paragraphs": int(meet.sum()),
            "free_text_respondents": int(hit.sum()),
            "free_text_segments": int(T.loc[ft.index, code].sum()),
            "free_text_by_category": {g: int(r["sum"]) for g, r in by.iterrows()},
        }
    a, b = codings["koder_a"].to_numpy(), codings["koder_b"].to_numpy()
    tables = {
        code: {
            "n11": int(((a[:, j] == 1) & (b[:, j] == 1)).sum()),
            "n10": int(((a[:, j] == 1) & (b[:, j] == 0)).sum()),
            "n01": int(((a[:, j] == 0) & (b[:, j] == 1)).sum()),
            "n00": int(((a[:, j] == 0) & (b[:, j] == 0)).sum()),
        }
        for j, code in enumerate(ids)
    }
    ft_resp = ft.groupby("response_id").size()
    doc = {
        "wave": wave,
        "seed": int(seed),
        "generator": "analysis.questionnaire.qual_demo",
        "synthetic": True,
        "segments": {
            "meeting": int((seg["source"] == "meeting").sum()),
            "free_text": int(len(ft)),
            "free_text_respondents": int(len(ft_resp)),
            "free_text_respondents_by_category": {
                g: int(v)
                for g, v in cats.reindex(ft_resp.index).value_counts().sort_index().items()
            },
        },
        "meeting_participants": len(_NAMES_2022 if wave == "demo-2022" else _NAMES_2023),
        "frequencies": freq,
        "coders": {c: p for c, p in CODERS.items()},
        "agreement_tables": tables,
        "quotes": sorted(quotes),
        "planted_personal_data": PLANTED[wave],
    }
    path = raw / TRUTH_FILE
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    return written
