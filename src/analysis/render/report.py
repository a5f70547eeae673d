"""Build the published findings report: ``reports/<wave>/findings.html`` (nb) or ``findings.en.html``.

:func:`build_report` executes ``notebooks/06_findings.ipynb`` in-process with papermill (parameters
``wave, compare_with, lang, disclosure, min_cell, data_root``), keeps the executed notebook in
``reports/<wave>/notebooks/06_findings.<lang>.ipynb`` for inspection, and converts it to one
self-contained HTML file with the nbconvert template ``analysis/templates/findings``:

- offline: no scripts, styles or fonts from anywhere (the template replaces nbconvert's head),
  figures as inline SVG (text as text);
- readable on a phone (wide tables scroll in their own box) and in print (A4, page numbers,
  header rows repeated, the numbers behind each figure not printed twice); :func:`build_pdf`
  prints it to ``findings.pdf`` with the system's Chromium (``report --pdf``);
- a title block under the title: publishers, wave and the date («Laget 1. desember 2026»);
- accessible (WCAG 2.1 AA): ``<html lang>``, one ``h1``, a table of contents built from the
  headings of the outputs (``<nav>``), ``<main>``, figures with alt text, tables with captions;
- code hidden (no input, no prompts); stream output (warnings) is reported on standard error and
  kept out of the page; a raw image or plain-text output is refused (every figure and table must
  come through :mod:`analysis.render.display`);
- internal reports (``--disclosure internal``) are written to ``findings.internal.html`` /
  ``findings.internal.en.html`` and never over a public report;
- incremental: a report is built again only when one of its inputs changed (the fingerprints of
  ``python -m analysis run``; :func:`report_fingerprint`);
- no absolute path of the machine in the executed notebook or the page;
- reproducible: two builds from the same inputs differ only in ``<p id="generated">``; cell ids
  are renumbered, papermill's metadata is not rendered. Set ``SOURCE_DATE_EPOCH`` to fix even
  the timestamp.

The files (HTML and PDF) are written atomically (a temporary file in the same folder, then a
rename).
"""

from __future__ import annotations

import copy
import html as _html
import os
import re
import sys
import tempfile
import threading
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from analysis.errors import UserError
from analysis.lang import format_date
from analysis.paths import (
    check_wave,
    notebooks_dir,
    processed_dir,
    project_root,
    raw_dir,
    reports_dir,
)
from analysis.render.i18n import t

NOTEBOOK = "06_findings.ipynb"
LANGS = ("nb", "en")
DISCLOSURES = ("public", "internal")
TITLE_TAG = "report-title"
REMOVE_TAG = "remove_cell"
#: ``data_root`` as seen from ``reports/<wave>/notebooks/`` (the kernel's working folder).
RELATIVE_ROOT = "../../.."

_HEADING_RE = re.compile(r"<h([23])\s+id=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")
GENERATED_RE = re.compile(r'<p id="generated">.*?</p>', re.S)


class ReportBuildError(RuntimeError):
    """The findings notebook produced something the report cannot publish (a bug, exit 1)."""


# ---------------------------------------------------------------------------------------------
# locating things
# ---------------------------------------------------------------------------------------------


def template_dir() -> Path:
    """Folder holding the ``findings`` nbconvert template (package data)."""
    return Path(str(resources.files("analysis.render").joinpath("templates")))


def findings_notebook(root: Path | None = None) -> Path:
    """The findings notebook: ``<root>/notebooks/06_findings.ipynb``, else the source checkout's."""
    candidates = [
        notebooks_dir(root) / NOTEBOOK,
        Path(__file__).resolve().parents[3] / "notebooks" / NOTEBOOK,
    ]
    for path in candidates:
        if path.is_file():
            return path
    raise UserError(f"{candidates[0]}: the findings notebook is missing")


def report_path(
    wave: str, lang: str = "nb", *, root: Path | None = None, disclosure: str = "public"
) -> Path:
    """``reports/<wave>/findings.html`` (nb) or ``findings.en.html`` (en).

    An internal report never takes the public name: ``findings.internal.html`` and
    ``findings.internal.en.html``.

    Examples
    --------
    >>> report_path("demo-2023", "en", root=Path("/p")).as_posix()
    '/p/reports/demo-2023/findings.en.html'
    >>> report_path("demo-2023", "nb", root=Path("/p"), disclosure="internal").name
    'findings.internal.html'
    """
    stem = "findings" if disclosure == "public" else f"findings.{disclosure}"
    name = f"{stem}.html" if lang == "nb" else f"{stem}.{lang}.html"
    return reports_dir(wave, root) / name


def executed_notebook_path(
    wave: str, lang: str = "nb", *, root: Path | None = None, disclosure: str = "public"
) -> Path:
    """Where the executed findings notebook of a report is kept (one per report file).

    Examples
    --------
    >>> executed_notebook_path("w", "en", root=Path("/p"), disclosure="internal").name
    '06_findings.internal.en.ipynb'
    """
    infix = "" if disclosure == "public" else f"{disclosure}."
    return reports_dir(wave, root) / "notebooks" / f"06_findings.{infix}{lang}.ipynb"


# ---------------------------------------------------------------------------------------------
# notebook post-processing
# ---------------------------------------------------------------------------------------------


def _output_kind(output) -> str:
    if output.get("output_type") == "stream":
        return "stream"
    if output.get("output_type") == "error":
        return "error"
    data = output.get("data", {})
    if "text/html" in data or "text/markdown" in data:
        return "ok"
    if any(k.startswith("image/") for k in data):
        return "image"
    return "other"


def prepare_for_html(nb) -> tuple[object, list[str]]:
    """A copy of an executed notebook ready for the HTML template, and the stream texts removed.

    - stream outputs (stdout/stderr, e.g. warnings) are removed and returned;
    - a raw image output or an output with neither HTML nor Markdown raises
      :class:`ReportBuildError` naming the cell (figures go through ``show_figure``);
    - HTML/Markdown outputs keep only those representations;
    - cell ids become ``cell-<n>`` and papermill's metadata is dropped (stable bytes).
    """
    nb = copy.deepcopy(nb)
    removed: list[str] = []
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        tags = list(cell.get("metadata", {}).get("tags", []))
        cell["metadata"] = {"tags": tags} if tags else {}
        if cell.cell_type != "code":
            continue
        cell["execution_count"] = None
        kept = []
        for out in cell.get("outputs", []):
            kind = _output_kind(out)
            if kind == "stream":
                removed.append(out.get("text", ""))
                continue
            if kind == "error":
                raise ReportBuildError(
                    f"cell {i} of the findings notebook raised {out.get('ename')}"
                )
            if kind != "ok":
                what = (
                    "a raw image"
                    if kind == "image"
                    else f"an output of type {sorted(out.get('data', {}))}"
                )
                raise ReportBuildError(
                    f"cell {i} of the findings notebook displayed {what}; figures and tables must go "
                    "through analysis.render.display.show_figure / show_table"
                )
            data = out["data"]
            keep = "text/html" if "text/html" in data else "text/markdown"
            out["data"] = {keep: data[keep]}
            out["metadata"] = {}
            if out.get("output_type") == "execute_result":
                out["execution_count"] = None
            kept.append(out)
        cell["outputs"] = kept
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")}
    nb.metadata.get("language_info", {}).pop("version", None)
    return nb, removed


def collect_headings(nb) -> list[tuple[int, str, str]]:
    """``(level, id, text)`` of every ``<h2 id>`` / ``<h3 id>`` in the HTML outputs, in order."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/html")
            if not text:
                continue
            text = "".join(text) if isinstance(text, list) else text
            for level, hid, inner in _HEADING_RE.findall(text):
                plain = _html.unescape(_TAG_RE.sub("", inner)).strip()
                found.append((int(level), hid, plain))
    return found


def toc_html(headings: list[tuple[int, str, str]]) -> str:
    """A nested ordered list of links for the table of contents.

    Examples
    --------
    >>> print(toc_html([(2, "a", "A"), (3, "a1", "A 1"), (2, "b", "B & C")]))
    <ol><li><a href="#a">A</a><ol><li><a href="#a1">A 1</a></li></ol></li><li><a href="#b">B &amp; C</a></li></ol>
    """
    out = ["<ol>"]
    open_sub = False
    for i, (level, hid, text) in enumerate(headings):
        link = f'<a href="#{_html.escape(hid)}">{_html.escape(text)}</a>'
        if level == 2:
            if open_sub:
                out.append("</ol></li>")
                open_sub = False
            elif i:
                out.append("</li>")
            out.append(f"<li>{link}")
        else:
            if not open_sub:
                if i == 0:
                    out.append("<li>")
                out.append("<ol>")
                open_sub = True
            out.append(f"<li>{link}</li>")
    if open_sub:
        out.append("</ol></li>")
    elif headings:
        out.append("</li>")
    out.append("</ol>")
    return "".join(out)


def page_number_css(lang: str) -> str:
    """The CSS ``content`` of the page number in the printed report's bottom margin.

    Examples
    --------
    >>> page_number_css("nb")
    '"Side " counter(page) " av " counter(pages)'
    >>> page_number_css("en")
    '"Page " counter(page) " of " counter(pages)'
    """
    text = t("page_of", lang, page="\0", pages="\1")
    parts = []
    for piece in re.split(r"([\0\1])", text):
        if piece == "\0":
            parts.append("counter(page)")
        elif piece == "\1":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)


_FIGURE_RE = re.compile(r'<figure class="report-figure">(.*?)</figure>', re.S)
_TABLE_RE = re.compile(r"<table>(.*?)</table>", re.S)
_BODY_CELL_RE = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.S)
#: Class of a figure whose numbers are all in the table printed right after it.
NUMBERS_BESIDE = "numbers-beside"


def _body_cells(table: str) -> list[str]:
    body = table.split("<tbody>", 1)[-1]
    return [_html.unescape(_TAG_RE.sub("", c)).strip() for c in _BODY_CELL_RE.findall(body)]


def mark_numbers_beside(html: str) -> str:
    """Mark each figure whose "numbers behind the figure" are all in the table right after it.

    Such a figure gets the class :data:`NUMBERS_BESIDE`, and print leaves its numbers table out
    (it would be printed twice). "Right after" means the next table, with no other figure and no
    heading in between; every body cell of the figure's table must be a cell of that table. A
    figure whose numbers are not all there keeps them in print.

    Examples
    --------
    >>> fig = ('<figure class="report-figure"><svg></svg><details><table><tbody><tr><td>Alle'
    ...        '</td><td>53</td></tr></tbody></table></details></figure>')
    >>> table = '<table><tbody><tr><th>Alle</th><td>299</td><td>53</td></tr></tbody></table>'
    >>> mark_numbers_beside(fig + table).startswith('<figure class="report-figure numbers-beside">')
    True
    >>> mark_numbers_beside(fig + "<h3>Next</h3>" + table).startswith('<figure class="report-figure">')
    True
    """
    out, pos = [], 0
    for m in _FIGURE_RE.finditer(html):
        out.append(html[pos : m.start()])
        pos = m.end()
        figure = m.group(0)
        inner = _TABLE_RE.search(m.group(1))
        after = _TABLE_RE.search(html, m.end())
        if inner and "<details" in m.group(1) and after:
            between = html[m.end() : after.start()]
            cells = _body_cells(inner.group(1))
            beside = set(_body_cells(after.group(1)))
            if (
                cells
                and "<figure" not in between
                and not re.search(r"<h[1-4]\b", between)
                and all(c in beside for c in cells)
            ):
                figure = figure.replace(
                    '<figure class="report-figure">',
                    f'<figure class="report-figure {NUMBERS_BESIDE}">',
                    1,
                )
        out.append(figure)
    out.append(html[pos:])
    return "".join(out)


def _generated_at() -> datetime:
    """When the report is built (UTC); ``SOURCE_DATE_EPOCH`` fixes it (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)


def render_html(
    nb, *, lang: str, title: str, internal: bool = False, wave: str | None = None
) -> str:
    """Convert a prepared, executed findings notebook to the report's HTML.

    Under the notebook's title cell the template puts the title block (the publishers, the
    ``wave`` when given, and the date the report was made, «Laget 1. desember 2026») and the
    table of contents.
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from analysis import __version__

    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
    exporter = HTMLExporter(
        config=c, template_name="findings", extra_template_basedirs=[str(template_dir())]
    )
    when = _generated_at()
    headings = collect_headings(nb)
    ids = [h[1] for h in headings]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ReportBuildError(f"duplicate heading ids in the findings report: {', '.join(dup)}")
    report = {
        "lang": lang,
        "title": title,
        "version": __version__,
        "toc_html": toc_html(headings),
        "toc_label": t("toc", lang),
        "skip_text": t("skip_to_content", lang),
        "publishers": t("publishers", lang),
        "wave_line": t("wave_line", lang, wave=wave) if wave else "",
        "generated": f"{t('generated', lang)} {format_date(when, lang)}",
        "generated_iso": when.date().isoformat(),
        "page_of_css": page_number_css(lang),
        "internal_banner": t("internal_banner", lang) if internal else "",
    }
    body, _ = exporter.from_notebook_node(nb, resources={"report": report})
    return mark_numbers_beside(body)


# ---------------------------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------------------------


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_ingested(wave: str, root: Path, what: str) -> None:
    folder = processed_dir(wave, root)
    if not (folder / "responses.parquet").is_file():
        raise UserError(
            f"{folder}: {what} {wave!r} is not ingested; run 'python -m analysis ingest {wave}' first"
        )


def _manifest_json(wave: str, root: Path, what: str) -> dict:
    import json

    path = raw_dir(wave, root) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"{path}: {what} {wave!r} has no manifest; register it with "
            "'python -m analysis ingest --wave WAVE --source FILE'"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path}: the manifest of {what} {wave!r} cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: the manifest of {what} {wave!r} is not a JSON object")
    return data


def _check_wave_usable(wave: str, root: Path, what: str) -> dict:
    """Everything the findings notebook needs of a wave, checked before a kernel starts.

    Returns the wave's manifest (as JSON).
    """
    folder = processed_dir(wave, root)
    for name in ("responses.parquet", "quality.json"):
        if not (folder / name).is_file():
            raise UserError(
                f"{folder / name}: {what} {wave!r} is not (completely) ingested; run "
                f"'python -m analysis ingest {wave}' again"
            )
    import pyarrow.parquet as pq

    try:
        rows = pq.read_metadata(folder / "responses.parquet").num_rows
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the same user problem
        raise UserError(
            f"{folder / 'responses.parquet'}: cannot be read ({type(exc).__name__}); "
            f"ingest {what} {wave!r} again"
        ) from None
    if rows == 0:
        raise UserError(
            f"{folder / 'responses.parquet'}: {what} {wave!r} has no kept responses (every row "
            "was quarantined; see quality.json): there is nothing to report"
        )
    return _manifest_json(wave, root, what)


def _git_state() -> list:
    """``[commit, dirty]`` of the package's checkout (the report states it), cheaply."""
    import subprocess

    folder = str(Path(__file__).resolve().parent)
    try:
        head = subprocess.run(
            ["git", "-C", folder, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return [None, False]
        status = subprocess.run(
            ["git", "-C", folder, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return [head.stdout.strip(), bool(status.stdout.strip())]
    except (OSError, subprocess.SubprocessError):
        return [None, False]


REPORT_FINGERPRINTS = ".report-fingerprints.json"


def report_fingerprint(
    wave: str,
    *,
    lang: str,
    disclosure: str,
    compare_with: str | None,
    min_cell: int,
    root: Path,
    source: Path,
) -> str:
    """Fingerprint of one report from all of its inputs (the mechanism of ``run``).

    The inputs: the findings notebook, the parameters, the processed data of the wave and of
    the comparison wave, their manifests and ground truth files (read by the report), the
    package version plus a hash of its source files (code, templates, codebooks), the Python
    version and the git commit the report states. Imports nothing heavy.
    """
    import hashlib
    import json

    from analysis.pipeline.runner import data_fingerprint, package_fingerprint

    def raw_files(w: str) -> dict:
        out = {}
        for name in ("manifest.json", "ground_truth.json"):
            path = raw_dir(w, root) / name
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        return out

    waves = [wave] + ([compare_with] if compare_with else [])
    doc = {
        "notebook": hashlib.sha256(source.read_bytes()).hexdigest(),
        "params": {
            "wave": wave,
            "compare_with": compare_with,
            "lang": lang,
            "disclosure": disclosure,
            "min_cell": int(min_cell),
        },
        "data": {w: data_fingerprint(w, root) for w in waves},
        "raw": {w: raw_files(w) for w in waves},
        "package": package_fingerprint(),
        "python": sys.version.split()[0],
        "git": _git_state(),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _read_report_fingerprints(folder: Path) -> dict:
    import json

    try:
        data = json.loads((folder / REPORT_FINGERPRINTS).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


_FINGERPRINTS_LOCK = threading.Lock()


def _store_report_fingerprint(folder: Path, name: str, fp: str | None) -> None:
    import json

    with _FINGERPRINTS_LOCK:  # reports of one wave are built side by side by 'all'
        fps = _read_report_fingerprints(folder)
        if fp is None:
            fps.pop(name, None)
        else:
            fps[name] = fp
        _atomic_write(
            folder / REPORT_FINGERPRINTS,
            (json.dumps(dict(sorted(fps.items())), indent=1) + "\n").encode(),
        )


def build_report(
    wave: str,
    *,
    lang: str = "nb",
    disclosure: str = "public",
    compare_with: str | None = None,
    root: Path | None = None,
    min_cell: int = 5,
    force: bool = False,
) -> Path:
    """Build the findings report of ``wave`` (unless it is up to date) and return its path.

    Parameters
    ----------
    wave : str
        An ingested wave.
    lang : {"nb", "en"}
        Report language (Norwegian bokmål by default).
    disclosure : {"public", "internal"}
        ``public`` (default) suppresses cells from ``min_cell`` or fewer respondents and single
        municipalities; ``internal`` shows everything, says it is not for publication and is
        written to ``findings.internal[.en].html``, never over the public report.
    compare_with : str, optional
        An earlier ingested wave (by its manifest's fieldwork dates) for the change section;
        without it the section says there is no earlier wave.
    root : Path, optional
        Project root (default :func:`analysis.paths.project_root`).
    min_cell : int
        Suppression threshold, 1 or more (cells from ``min_cell`` or fewer respondents are
        hidden).
    force : bool
        Build even when nothing changed since the last build (see :func:`build_report_if_changed`).

    Returns
    -------
    Path
        ``reports/<wave>/findings.html`` or ``findings.en.html`` (public), or
        ``findings.internal.html`` / ``findings.internal.en.html``.
    """
    path, _ = build_report_if_changed(
        wave,
        lang=lang,
        disclosure=disclosure,
        compare_with=compare_with,
        root=root,
        min_cell=min_cell,
        force=force,
    )
    return path


def build_report_if_changed(
    wave: str,
    *,
    lang: str = "nb",
    disclosure: str = "public",
    compare_with: str | None = None,
    root: Path | None = None,
    min_cell: int = 5,
    force: bool = False,
) -> tuple[Path, bool]:
    """:func:`build_report`, also saying whether it built (False: the report was up to date).

    A report is built again only when one of its inputs changed (:func:`report_fingerprint`),
    the way ``python -m analysis run`` treats notebooks; the fingerprints are kept in
    ``reports/<wave>/.report-fingerprints.json``. The up-to-date path starts no kernel and
    imports neither pandas nor papermill. A report is built under a lock of its own
    (:func:`analysis.pipeline.faults.wave_lock`): a second build of the same file at the same
    time is refused in one line.
    """
    from analysis.pipeline.faults import wave_lock
    from analysis.pipeline.runner import check_allowed, check_compare_order

    check_wave(wave)
    for name, value in (("lang", lang), ("disclosure", disclosure), ("min_cell", min_cell)):
        if value is None:
            raise UserError(f"parameter {name!r} must be given")
        check_allowed(name, value)
    if isinstance(min_cell, bool) or int(min_cell) != min_cell:
        raise UserError(f"parameter 'min_cell' must be a whole number, not {min_cell!r}")
    root = Path(root) if root is not None else project_root()
    _check_ingested(wave, root, "wave")
    if compare_with is not None:
        check_wave(compare_with)
        if compare_with == wave:
            raise UserError(f"--compare-with names the report's own wave {wave!r}")
        _check_ingested(compare_with, root, "comparison wave")
    source = findings_notebook(root)
    path = report_path(wave, lang, root=root, disclosure=disclosure)
    executed_path = executed_notebook_path(wave, lang, root=root, disclosure=disclosure)
    options = dict(lang=lang, disclosure=disclosure, compare_with=compare_with, min_cell=min_cell)
    fp = report_fingerprint(wave, root=root, source=source, **options)
    if (
        not force
        and _read_report_fingerprints(path.parent).get(path.name) == fp
        and path.is_file()
        and executed_path.is_file()
    ):
        return path, False
    manifest = _check_wave_usable(wave, root, "wave")
    if compare_with is not None:
        earlier = _check_wave_usable(compare_with, root, "comparison wave")
        check_compare_order(wave, manifest, compare_with, earlier)
    with wave_lock(wave, f"report.{path.name}", root=root):
        _build(wave, root=root, source=source, path=path, executed_path=executed_path, **options)
        _store_report_fingerprint(path.parent, path.name, fp)
    return path, True


def _build(
    wave: str,
    *,
    lang: str,
    disclosure: str,
    compare_with: str | None,
    min_cell: int,
    root: Path,
    source: Path,
    path: Path,
    executed_path: Path,
) -> None:
    import nbformat
    import papermill as pm

    from analysis.pipeline.faults import kill_kernels
    from analysis.pipeline.runner import clean_executed, kernel_options

    nb_dir = executed_path.parent
    nb_dir.mkdir(parents=True, exist_ok=True)
    # data_root relative to the kernel's working folder (reports/WAVE/notebooks), as the pipeline
    # does: the executed notebook then carries no absolute path of this machine
    params = {
        "wave": wave,
        "compare_with": compare_with,
        "lang": lang,
        "disclosure": disclosure,
        "min_cell": int(min_cell),
        "data_root": RELATIVE_ROOT,
    }
    fd, tmp = tempfile.mkstemp(prefix=".06_findings.", suffix=".ipynb", dir=nb_dir)
    os.close(fd)
    relative = dict(
        input_path=f"notebooks/{NOTEBOOK}", output_path=executed_path.name, root=root.resolve()
    )
    try:
        try:
            with kernel_options() as options:
                pm.execute_notebook(str(source), tmp, parameters=params, cwd=str(nb_dir), **options)
        except pm.PapermillExecutionError as exc:
            clean_executed(Path(tmp), **relative)
            os.replace(tmp, executed_path)
            if exc.ename in ("UserError", "InputFileError"):
                raise UserError(exc.evalue) from None
            shown = executed_path.relative_to(root).as_posix()
            raise ReportBuildError(
                f"the findings notebook failed in cell {exc.cell_index} ({exc.ename}: "
                f"{exc.evalue}); the executed notebook is kept in {shown}"
            ) from None
        except (KeyboardInterrupt, SystemExit):
            kill_kernels()  # Ctrl-C or SIGTERM: stop the kernel now, keep earlier outputs
            raise
        except Exception as exc:  # noqa: BLE001 - kernel start failure, dead kernel …
            raise ReportBuildError(
                f"the findings notebook could not be executed ({type(exc).__name__}: {exc})"
            ) from None
        clean_executed(Path(tmp), **relative)
        os.replace(tmp, executed_path)
        os.chmod(executed_path, 0o644)
    finally:
        Path(tmp).unlink(missing_ok=True)

    executed = nbformat.read(executed_path, as_version=4)
    # (path is the report file named above: internal reports never take the public name)
    # the spreadsheet and figure files, from what the page shows (links added to the outputs)
    from analysis.render.export import export_report_assets

    export_report_assets(executed, path, lang=lang)
    prepared, streams = prepare_for_html(executed)
    for text in streams:
        first = text.strip().splitlines()[0] if text.strip() else ""
        if first:
            print(f"findings notebook ({lang}) printed: {first[:200]}", file=sys.stderr)
    title = t("report_title", lang, wave=wave)
    html = render_html(
        prepared, lang=lang, title=title, internal=disclosure == "internal", wave=wave
    )
    _atomic_write(path, html.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# print: the report as an A4 PDF
# ---------------------------------------------------------------------------------------------

#: The system's Chromium, the only browser the PDF is printed with (never downloaded), and its
#: headless flags (the browser tests start it the same way).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pdf_path(html_path: Path) -> Path:
    """The PDF beside a report: ``findings.html`` -> ``findings.pdf``.

    The name follows the HTML's, so an internal report's PDF is internal too and never takes
    a public report's name.

    Examples
    --------
    >>> pdf_path(Path("r/findings.en.html")).name, pdf_path(Path("r/findings.internal.html")).name
    ('findings.en.pdf', 'findings.internal.pdf')
    """
    html_path = Path(html_path)
    stem = html_path.name[: -len(".html")] if html_path.name.endswith(".html") else html_path.stem
    return html_path.with_name(f"{stem}.pdf")


def print_pdf(html_path: Path, *, chromium: Path = CHROMIUM, browser=None) -> bytes:
    """The report printed to an A4 PDF by headless Chromium (bytes, nothing written).

    The page's print style decides the layout (A4, margins and the page numbers «Side 3 av 12»
    in the bottom margin, tables that break across pages with their header row repeated). The
    PDF is tagged and has an outline from the headings. Chromium may load nothing but the
    file itself: any other request is refused (the report is offline).

    ``browser`` is a running Playwright Chromium to print with (e.g. to print several reports);
    by default the system's Chromium (``chromium``) is started and closed. Raises
    :class:`~analysis.errors.UserError` (one line, exit 2) when Playwright or Chromium is missing.
    """
    if browser is not None:
        return _print_with(browser, Path(html_path))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UserError(
            "report --pdf needs Playwright: pip install 'analysis[pdf]' (it prints with the "
            f"system's Chromium at {chromium}; no browser is downloaded)"
        ) from None
    if not Path(chromium).is_file():
        raise UserError(f"{chromium}: report --pdf needs Chromium there (apt-get install chromium)")
    from playwright.sync_api import Error as PlaywrightError

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                return _print_with(browser, Path(html_path))
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{html_path}: Chromium could not print the report ({first})") from None


def _print_with(browser, html_path: Path) -> bytes:
    def only_the_file(route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    page = browser.new_page()
    try:
        page.route("**/*", only_the_file)
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # as a browser's print
        return page.pdf(
            format="A4",
            prefer_css_page_size=True,
            print_background=True,
            display_header_footer=False,  # the page numbers come from the print CSS
            tagged=True,
            outline=True,
        )
    finally:
        page.close()


def build_pdf(html_path: Path, *, wave: str, root: Path | None = None, force: bool = False):
    """Write the A4 PDF beside a built report (:func:`pdf_path`); return ``(path, written)``.

    The PDF is printed again when it is missing, older than the HTML, or ``force``; it is
    written atomically (a temporary file, then a rename: an interrupted print leaves the earlier
    PDF, never half a file) under a lock of its own.
    """
    from analysis.pipeline.faults import wave_lock

    html_path = Path(html_path)
    root = Path(root) if root is not None else project_root()
    out = pdf_path(html_path)
    if not force and out.is_file() and out.stat().st_mtime_ns >= html_path.stat().st_mtime_ns:
        return out, False
    with wave_lock(wave, f"report.{out.name}", root=root):
        _atomic_write(out, print_pdf(html_path))
    return out, True
