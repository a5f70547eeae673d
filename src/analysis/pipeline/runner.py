"""Run the parameterised notebooks of a wave: checked parameters, parallel, incremental, atomic.

``python -m analysis run WAVE [--compare-with EARLIER] [-p NAME=VALUE ...] [--jobs N] [--force]``
calls :func:`run_wave`. It executes the analysis notebooks ``01_*`` … ``05_*`` (never
``06_findings``: ``python -m analysis report`` runs that one) with papermill's Python API, in this
process, up to ``jobs`` at a time (one thread each; every notebook runs in its own kernel), into
``reports/WAVE/notebooks/``.

Parameters
    Every notebook has one cell tagged ``parameters`` of commented literals::

        min_cell = 5                # int: public tables suppress cells of min_cell or fewer

    The names, the literal defaults and the type in the comment (``int``, ``float``, ``bool``,
    ``str``, ``None`` joined by ``|``) are read with :mod:`ast` before anything runs. ``-p`` values
    arrive as strings and are converted to the declared type; an unknown name (declared by no
    notebook) or a value that does not fit the type is a :class:`~analysis.errors.UserError` (exit
    2) naming the parameter, the notebook and the expected type. A parameter declared by only some
    notebooks is given to those only. The pipeline injects ``wave``, ``compare_with`` and
    ``data_root``; ``data_root`` is injected as the path of the project root *relative to the
    output folder* (``../../..``) and the kernel runs in the output folder, so executed notebooks
    carry no absolute path of the machine and can be re-run where they lie.

Incremental runs
    A notebook is executed again only when one of its inputs changed: the processed data
    (content hash of ``data/processed/WAVE/*``, and of the compare-with wave when the notebook
    takes ``compare_with`` and it is set), the notebook file, the package version plus a hash of
    the package's source files, the Python version, and the parameters. The fingerprints are
    kept in ``reports/WAVE/notebooks/.fingerprints.json``. The no-change path imports nothing
    heavy (no pandas, papermill or matplotlib), so a rerun with nothing to do takes well under
    a second.

Failures (atomic per notebook)
    Each notebook executes into ``reports/WAVE/notebooks/.tmp/`` and is moved into place only
    when it succeeded, so a failure leaves that notebook's previous output untouched (notebooks
    of the same run that succeeded are updated: they are independent of each other). The failed
    executed notebook is kept in ``reports/WAVE/notebooks/failed/NAME.ipynb``; the message names
    the notebook, the failing cell (index, first line of its source) and the exception, and the
    exit status is 1.

Examples
--------
>>> parse_type("int | None")
('int', 'None')
>>> convert_value("7", ("int", "None"), name="min_cell", notebook="03_x")
7
>>> convert_value("None", ("str", "None"), name="compare_with", notebook="05_x") is None
True
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import math
import os
import re
import shutil
import sys
import threading
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import UserError
from analysis.pipeline.faults import kernel_manager_class, stop_futures, wave_lock

#: Notebooks the pipeline runs: 01_… to 05_… (06_findings belongs to ``analysis report``).
NOTEBOOK_PATTERN = re.compile(r"^0[1-5]_[A-Za-z0-9_.-]+\.ipynb$")
#: Parameters the pipeline injects itself.
INJECTED = ("wave", "compare_with", "data_root")
#: Types a parameters-cell comment may declare.
TYPES = ("None", "bool", "int", "float", "str")
#: Kernel the notebooks run in (the project's .venv; see the Makefile's ipykernel install).
KERNEL_NAME = "python3"
#: Quiet kernel logs: every start warns about local TCP sockets, and jupyter_client interrupts
#: each kernel before shutting it down, which ipykernel logs as an error. Cell errors are not
#: affected (they are captured in the notebook); a dead kernel still fails the notebook.
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]
FINGERPRINTS = ".fingerprints.json"
#: ``data_root`` as seen from ``reports/WAVE/notebooks/``.
RELATIVE_ROOT = "../../.."

_PYTYPES = {"None": type(None), "bool": bool, "int": int, "float": float, "str": str}
_TRUE = {"true", "yes", "1", "ja"}
_FALSE = {"false", "no", "0", "nei"}
_NONE = {"none", "null"}


# ---------------------------------------------------------------------------------------------
# parameters cell
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """One declared notebook parameter: name, literal default and declared types."""

    name: str
    default: object
    types: tuple[str, ...]
    help: str = ""


def parse_type(text: str) -> tuple[str, ...]:
    """The types of a parameter comment such as ``"str | None"``.

    Examples
    --------
    >>> parse_type("float")
    ('float',)
    """
    names = tuple(t.strip() for t in text.split("|"))
    bad = [t for t in names if t not in TYPES]
    if not names or bad:
        raise ValueError(f"unknown type {text!r} (use {', '.join(TYPES)} joined by '|')")
    return names


def _comments_by_line(source: str) -> dict[int, str]:
    out = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return out


def parse_parameters_cell(source: str, *, notebook: str = "notebook") -> dict[str, Parameter]:
    """Parse a ``parameters`` cell: ``name = literal  # type: help`` per line.

    Parameters
    ----------
    source : str
        The cell's source.
    notebook : str
        Name used in error messages.

    Returns
    -------
    dict of str to Parameter, in cell order.

    Examples
    --------
    >>> cell = 'wave = "demo-2023"  # str: the wave\\nmin_cell = 5  # int: smallest cell'
    >>> p = parse_parameters_cell(cell)
    >>> p["min_cell"]
    Parameter(name='min_cell', default=5, types=('int',), help='smallest cell')
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise UserError(
            f"{notebook}: the parameters cell is not valid Python ({exc.msg}, line {exc.lineno})"
        ) from None
    comments = _comments_by_line(source)
    out: dict[str, Parameter] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign | ast.AnnAssign)):
            raise UserError(
                f"{notebook}: the parameters cell may only assign literals (line {node.lineno})"
            )
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or node.value is None:
            raise UserError(
                f"{notebook}: parameters cell line {node.lineno}: use 'name = literal  # type: help'"
            )
        name = targets[0].id
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise UserError(f"{notebook}: parameter {name!r} must have a literal default") from None
        comment = comments.get(node.end_lineno or node.lineno, "")
        type_text, _, help_text = comment.partition(":")
        try:
            types = parse_type(type_text)
        except ValueError as exc:
            raise UserError(
                f"{notebook}: parameter {name!r}: the comment must state its type "
                f"('# int: help'): {exc}"
            ) from None
        if not _fits(default, types):
            raise UserError(
                f"{notebook}: parameter {name!r} default {default!r} is not {type_text.strip()}"
            )
        out[name] = Parameter(name, default, types, help_text.strip())
    return out


def _fits(value: object, types: Sequence[str]) -> bool:
    for t in types:
        if t == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if t in ("int", "str", "None") and type(value) is _PYTYPES[t]:
            return True
        if t == "bool" and isinstance(value, bool):
            return True
    return False


def convert_value(value: object, types: Sequence[str], *, name: str, notebook: str) -> object:
    """Convert a ``-p`` value (a string) to a parameter's declared type.

    Tried in the order None, bool, int, float, str; values that are not strings must already
    have a declared type.

    Raises
    ------
    UserError
        When the value fits none of the declared types.

    Examples
    --------
    >>> convert_value("0.5", ("float",), name="alpha", notebook="02_x")
    0.5
    >>> convert_value("yes", ("bool",), name="weights", notebook="02_x")
    True
    """
    if not isinstance(value, str):
        if _fits(value, types):
            return float(value) if types == ("float",) else value
    else:
        text = value.strip()
        low = text.lower()
        for t in sorted(types, key=TYPES.index):
            if t == "None" and low in _NONE:
                return None
            if t == "bool" and low in _TRUE | _FALSE:
                return low in _TRUE
            if t == "int" and re.fullmatch(r"[+-]?\d+", text):
                return int(text)
            if t == "float":
                try:
                    return float(text.replace(",", "."))
                except ValueError:
                    pass
            if t == "str":
                return value
    raise UserError(
        f"parameter {name!r} of notebook {notebook} must be {' | '.join(types)}, not {value!r}"
    )


@dataclass(frozen=True)
class Allowed:
    """The values a parameter may take: a set of choices, or a numeric range.

    Examples
    --------
    >>> Allowed(minimum=1).check("min_cell", 5)
    >>> Allowed(choices=("nb", "en")).check("lang", "de")
    Traceback (most recent call last):
    ...
    analysis.errors.UserError: parameter 'lang' must be one of nb, en, not 'de'
    """

    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    #: the range's ends themselves are not allowed
    open_range: bool = False

    def check(self, name: str, value: object) -> None:
        """Raise :class:`~analysis.errors.UserError` when ``value`` is not allowed (None passes)."""
        if value is None:
            return
        if self.choices and value not in self.choices:
            raise UserError(
                f"parameter {name!r} must be one of {', '.join(map(str, self.choices))}, "
                f"not {value!r}"
            )
        if self.minimum is None and self.maximum is None:
            return
        lo = -math.inf if self.minimum is None else self.minimum
        hi = math.inf if self.maximum is None else self.maximum
        v = float(value)  # type: ignore[arg-type]
        inside = (lo < v < hi) if self.open_range else (lo <= v <= hi)
        if inside:
            return
        if self.maximum is None:
            bound = f"more than {lo:g}" if self.open_range else f"at least {lo:g}"
        elif self.minimum is None:
            bound = f"less than {hi:g}" if self.open_range else f"at most {hi:g}"
        else:
            bound = f"between {lo:g} and {hi:g}" + (" (exclusive)" if self.open_range else "")
        raise UserError(f"parameter {name!r} must be {bound}, not {value!r}")


#: Allowed values of the notebooks' parameters, whichever notebook declares them; checked (after
#: type conversion) before anything runs. ``analysis.render.report`` checks its own with these.
ALLOWED: dict[str, Allowed] = {
    "lang": Allowed(choices=("nb", "en")),
    "disclosure": Allowed(choices=("public", "internal")),
    "min_cell": Allowed(minimum=1),
    "alpha": Allowed(minimum=0, maximum=1, open_range=True),
}


def check_allowed(name: str, value: object) -> object:
    """Check one converted parameter value against :data:`ALLOWED`; return it unchanged.

    Examples
    --------
    >>> check_allowed("min_cell", 3)
    3
    >>> check_allowed("min_cell", -3)
    Traceback (most recent call last):
    ...
    analysis.errors.UserError: parameter 'min_cell' must be at least 1, not -3
    """
    rule = ALLOWED.get(name)
    if rule is not None:
        rule.check(name, value)
    return value


def fieldwork_date(manifest: Mapping[str, object]) -> str | None:
    """The date a wave's fieldwork began (ISO), else ended, else the export was received.

    Examples
    --------
    >>> fieldwork_date({"fieldwork_start": None, "fieldwork_end": "2023-10-31"})
    '2023-10-31'
    """
    for key in ("fieldwork_start", "fieldwork_end", "received"):
        value = manifest.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:10]
    return None


def check_compare_order(
    wave: str, manifest: Mapping[str, object], compare_with: str, earlier: Mapping[str, object]
) -> None:
    """Refuse a comparison wave whose fieldwork (manifest dates) is later than the wave's.

    Changes are always the wave minus the comparison wave; a later comparison wave would report
    every change backwards. Waves without dates are not checked.

    Examples
    --------
    >>> check_compare_order("2022", {"fieldwork_start": "2022-09-01"}, "2023",
    ...                     {"fieldwork_start": "2023-09-15"})
    Traceback (most recent call last):
    ...
    analysis.errors.UserError: --compare-with '2023' (fieldwork 2023-09-15) is later than '2022' (fieldwork 2022-09-01): compare the other way round (the later wave with --compare-with the earlier)
    """
    a, b = fieldwork_date(earlier), fieldwork_date(manifest)
    if a is not None and b is not None and a > b:
        raise UserError(
            f"--compare-with {compare_with!r} (fieldwork {a}) is later than {wave!r} (fieldwork "
            f"{b}): compare the other way round (the later wave with --compare-with the earlier)"
        )


def _manifest_dates(wave: str, root: Path) -> dict:
    """A registered wave's manifest as JSON ({} when it cannot be read: nothing to check)."""
    from analysis.paths import raw_dir

    try:
        data = json.loads((raw_dir(wave, root) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def check_jobs(jobs: int | None) -> None:
    """``--jobs`` must be 1 or more (None: one per core)."""
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise UserError(f"--jobs must be 1 or more, not {jobs!r}")


# ---------------------------------------------------------------------------------------------
# notebooks on disk (read as JSON: no nbformat import on the no-change path)
# ---------------------------------------------------------------------------------------------


@dataclass
class NotebookSpec:
    """A notebook the pipeline can run, with its parameters and its file's hash."""

    path: Path
    parameters: dict[str, Parameter]
    sha256: str

    @property
    def name(self) -> str:
        return self.path.stem


def read_notebook_spec(path: str | Path) -> NotebookSpec:
    """Read a notebook's parameters cell (the first cell tagged ``parameters``)."""
    path = Path(path)
    data = path.read_bytes()
    try:
        nb = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a notebook ({exc})") from None
    cells = [
        c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        raise UserError(
            f"{path.name}: needs exactly one cell tagged 'parameters' (found {len(cells)})"
        )
    src = cells[0].get("source", "")
    src = "".join(src) if isinstance(src, list) else src
    return NotebookSpec(
        path, parse_parameters_cell(src, notebook=path.stem), hashlib.sha256(data).hexdigest()
    )


def default_notebooks_dir(root: Path) -> Path:
    """``root/notebooks`` if it holds the notebooks, else the notebooks of the source tree."""
    for candidate in (root / "notebooks", Path(__file__).resolve().parents[3] / "notebooks"):
        if candidate.is_dir() and any(NOTEBOOK_PATTERN.match(p.name) for p in candidate.iterdir()):
            return candidate
    raise UserError(f"no notebooks 01_*.ipynb … 05_*.ipynb in {root / 'notebooks'}")


def find_notebooks(notebooks_dir: str | Path) -> list[NotebookSpec]:
    """The notebooks ``01_*`` … ``05_*`` of a folder, in order, with their parameters."""
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise UserError(f"notebook folder {folder} does not exist")
    paths = sorted(p for p in folder.iterdir() if NOTEBOOK_PATTERN.match(p.name))
    if not paths:
        raise UserError(f"no notebooks 01_*.ipynb … 05_*.ipynb in {folder}")
    return [read_notebook_spec(p) for p in paths]


def resolve_parameters(
    specs: Sequence[NotebookSpec], given: Mapping[str, object]
) -> dict[str, dict[str, object]]:
    """Check and convert parameters for each notebook (only those it declares).

    Raises
    ------
    UserError
        A name no notebook declares, or a value of the wrong type (names the notebook and type).
    """
    declared = {n for s in specs for n in s.parameters}
    for name in given:
        if name not in declared:
            names = ", ".join(sorted(declared)) or "none"
            raise UserError(f"unknown parameter {name!r}: no notebook declares it (known: {names})")
    out = {}
    for spec in specs:
        values = {}
        for name, value in given.items():
            if name in spec.parameters:
                values[name] = check_allowed(
                    name,
                    convert_value(
                        value, spec.parameters[name].types, name=name, notebook=spec.name
                    ),
                )
        out[spec.name] = values
    return out


# ---------------------------------------------------------------------------------------------
# fingerprints
# ---------------------------------------------------------------------------------------------

_SOURCE_SUFFIXES = {
    ".py",
    ".yaml",
    ".yml",
    ".json",
    ".html",
    ".css",
    ".j2",
    ".jinja",
    ".txt",
    ".tpl",
}


def _hash_tree(folder: Path, *, suffixes: set[str] | None = None) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if suffixes is not None and path.suffix not in suffixes:
            continue
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def package_fingerprint() -> str:
    """Package version plus a hash of the package's source files (code, codebook, templates)."""
    from analysis import __version__

    pkg = Path(__file__).resolve().parents[1]
    return f"{__version__}+{_hash_tree(pkg, suffixes=_SOURCE_SUFFIXES)[:16]}"


def data_fingerprint(wave: str, root: Path) -> str:
    """Content hash of ``data/processed/WAVE/`` (UserError if the wave is not ingested)."""
    from analysis.paths import processed_dir

    folder = processed_dir(wave, root)
    if not (folder / "responses.parquet").is_file():
        raise UserError(
            f"wave {wave!r} is not ingested ({folder}/responses.parquet missing): "
            f"run 'python -m analysis ingest {wave}' first"
        )
    return _hash_tree(folder)


def notebook_fingerprint(
    spec: NotebookSpec, params: Mapping[str, object], *, data: Mapping[str, str], package: str
) -> str:
    """Fingerprint of one notebook run from all of its inputs."""
    wave = params.get("wave")
    compare = params.get("compare_with")
    doc = {
        "notebook": spec.sha256,
        "params": {k: params[k] for k in sorted(params)},
        "data": data[wave] if wave in data else None,
        "compare_data": data[compare] if compare in data else None,
        "package": package,
        "python": sys.version.split()[0],
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _read_fingerprints(out_dir: Path) -> dict[str, str]:
    path = out_dir / FINGERPRINTS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_fingerprints(out_dir: Path, fps: Mapping[str, str]) -> None:
    tmp = out_dir / (FINGERPRINTS + ".tmp")
    tmp.write_text(json.dumps(dict(sorted(fps.items())), indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / FINGERPRINTS)


# ---------------------------------------------------------------------------------------------
# planning and running
# ---------------------------------------------------------------------------------------------


@dataclass
class Job:
    """One notebook to run (or skip) with its resolved parameters and fingerprint."""

    spec: NotebookSpec
    params: dict[str, object]
    fingerprint: str
    up_to_date: bool


@dataclass
class RunSummary:
    """What :func:`execute_wave` did: notebook names executed, skipped (up to date) and failed."""

    wave: str
    out_dir: Path
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    #: set on Ctrl-C / SIGTERM: no notebook starts any more, interrupted ones are not "failed"
    stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def status(self) -> int:
        return 1 if self.failed else 0


def plan_wave(
    wave: str,
    *,
    compare_with: str | None = None,
    params: Mapping[str, object] | None = None,
    force: bool = False,
    root: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
) -> tuple[Path, list[Job]]:
    """Check everything and decide which notebooks must run; runs nothing.

    Returns the output folder and one :class:`Job` per notebook.
    """
    from analysis.paths import check_wave, project_root, reports_dir

    check_wave(wave)
    if compare_with is not None:
        check_wave(compare_with)
        if compare_with == wave:
            raise UserError(f"--compare-with {compare_with!r} is the wave itself")
    root = Path(root).resolve() if root is not None else project_root()
    if compare_with is not None:
        check_compare_order(
            wave, _manifest_dates(wave, root), compare_with, _manifest_dates(compare_with, root)
        )
    params = dict(params or {})
    clash = [n for n in INJECTED if n in params]
    if clash:
        raise UserError(
            f"parameter {clash[0]!r} is set by the pipeline: use the command's arguments"
        )
    specs = find_notebooks(
        notebooks_dir if notebooks_dir is not None else default_notebooks_dir(root)
    )
    for spec in specs:
        for name in ("wave", "data_root"):
            if name not in spec.parameters:
                raise UserError(f"{spec.name}: the parameters cell must declare {name!r}")
    user = resolve_parameters(specs, params)
    injected = {"wave": wave, "compare_with": compare_with, "data_root": RELATIVE_ROOT}
    data = {wave: data_fingerprint(wave, root)}
    if compare_with is not None and any("compare_with" in s.parameters for s in specs):
        data[compare_with] = data_fingerprint(compare_with, root)
    package = package_fingerprint()
    out_dir = reports_dir(wave, root) / "notebooks"
    old = _read_fingerprints(out_dir)
    jobs = []
    for spec in specs:
        values = {
            k: convert_value(v, spec.parameters[k].types, name=k, notebook=spec.name)
            for k, v in injected.items()
            if k in spec.parameters
        }
        values.update(user[spec.name])
        fp = notebook_fingerprint(spec, values, data=data, package=package)
        fresh = not force and old.get(spec.name) == fp and (out_dir / spec.path.name).is_file()
        jobs.append(Job(spec, values, fp, fresh))
    return out_dir, jobs


def _first_line(source: object) -> str:
    text = "".join(source) if isinstance(source, list) else str(source or "")
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def machine_paths(root: str | Path | None = None) -> list[tuple[str, str]]:
    """``(absolute path, stand-in)`` pairs that executed outputs must not show, longest first.

    The project root becomes ``.``, the home folder ``~`` and the temporary folder ``$TMPDIR``
    (each also as its resolved path, when a symlink leads there).

    Examples
    --------
    >>> dict(machine_paths("/srv/project"))["/srv/project"]
    '.'
    """
    import tempfile

    pairs: dict[str, str] = {}
    for path, stand_in in (
        (root, "."),
        (os.path.expanduser("~"), "~"),
        (tempfile.gettempdir(), "$TMPDIR"),
    ):
        if not path:
            continue
        for p in {str(path), os.path.realpath(path)}:
            p = p.rstrip("/")
            if p and p not in ("/", ".", "~") and p not in pairs:
                pairs[p] = stand_in
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def scrub_paths(value: object, pairs: Sequence[tuple[str, str]]) -> object:
    """``value`` (JSON-like) with every absolute path of :func:`machine_paths` replaced.

    Examples
    --------
    >>> scrub_paths({"text": ["/srv/p/.venv/x.py:3: Warning"]}, [("/srv/p", ".")])
    {'text': ['./.venv/x.py:3: Warning']}
    """
    if isinstance(value, str):
        for path, stand_in in pairs:
            if path in value:
                value = value.replace(path, stand_in)
        return value
    if isinstance(value, list):
        return [scrub_paths(v, pairs) for v in value]
    if isinstance(value, dict):
        return {k: scrub_paths(v, pairs) for k, v in value.items()}
    return value


def clean_executed(
    nb_path: Path, *, input_path: str, output_path: str, root: str | Path | None = None
) -> None:
    """Make an executed notebook free of machine paths, in place.

    papermill's absolute input/output paths become project-relative ones, and every absolute
    path of the machine in outputs and metadata (project root, home and temporary folders, e.g.
    in a warning naming a file of the ``.venv``) is replaced by a stand-in (:func:`machine_paths`).
    """
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    pm["input_path"] = input_path
    pm["output_path"] = output_path
    pairs = machine_paths(root)
    nb.metadata = nbformat.from_dict(scrub_paths(nb.metadata, pairs))
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and cell.get("outputs"):
            cell["outputs"] = [nbformat.from_dict(scrub_paths(o, pairs)) for o in cell["outputs"]]
    nbformat.write(nb, nb_path)


def _clean_metadata(
    nb_path: Path, spec: NotebookSpec, out_name: str, root: str | Path | None = None
) -> None:
    """Project-relative papermill paths and no machine path in outputs (:func:`clean_executed`)."""
    clean_executed(
        nb_path, input_path=f"notebooks/{spec.path.name}", output_path=out_name, root=root
    )


@contextlib.contextmanager
def kernel_options():
    """Keyword arguments for ``papermill.execute_notebook`` that every notebook run shares.

    The kernel talks over local IPC sockets in a private folder (mode 0700) of its own: no TCP
    ports, so kernels started at the same time cannot race for a free port, and nothing is sent
    unencrypted over the network stack. The pipeline and the report both use this.
    """
    import tempfile

    from traitlets.config import Config

    sockets = tempfile.mkdtemp(prefix="analysis-kernel-")
    try:
        yield {
            "kernel_name": KERNEL_NAME,
            "language": "python",
            "progress_bar": False,
            "log_output": False,
            "request_save_on_cell_execute": False,
            "extra_arguments": KERNEL_ARGS,
            "kernel_manager_class": kernel_manager_class(),
            "config": Config(
                {"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}}
            ),
        }
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def _execute(
    job: Job, out_dir: Path, summary: RunSummary, lock: threading.Lock, fingerprints: dict[str, str]
) -> None:
    import papermill as pm

    spec = job.spec
    tmp_dir = out_dir / ".tmp"
    tmp_path = tmp_dir / spec.path.name
    failed_path = out_dir / "failed" / spec.path.name
    if summary.stop.is_set():  # interrupted before this notebook started: start nothing new
        return
    stack = contextlib.ExitStack()
    options = stack.enter_context(kernel_options())
    try:
        pm.execute_notebook(
            str(spec.path), str(tmp_path), parameters=job.params, cwd=str(out_dir), **options
        )
    except pm.PapermillExecutionError as exc:
        if summary.stop.is_set():  # interrupted (its kernel was killed): not a failure
            tmp_path.unlink(missing_ok=True)
            return
        index = exc.cell_index
        injected_at = 1 + next(
            (
                i
                for i, c in enumerate(_json_cells(spec.path))
                if "parameters" in c.get("metadata", {}).get("tags", [])
            ),
            -1,
        )
        if injected_at > 0 and index > injected_at:
            index -= 1  # index in the source notebook (papermill counts its injected cell)
        msg = (
            f"notebook {spec.name} failed in cell {index} ({_first_line(exc.source)!r}): "
            f"{exc.ename}: {exc.evalue}"
        )
        _keep_failed(tmp_path, failed_path, spec)
        with lock:
            summary.failed.append(spec.name)
            summary.messages.append(msg + f" — executed notebook kept in {failed_path}")
        return
    except Exception as exc:  # noqa: BLE001 - kernel start failure, dead kernel, timeout …
        if summary.stop.is_set():
            tmp_path.unlink(missing_ok=True)
            return
        _keep_failed(tmp_path, failed_path, spec)
        with lock:
            summary.failed.append(spec.name)
            summary.messages.append(
                f"notebook {spec.name} could not be executed: {type(exc).__name__}: {exc}".strip()
            )
        return
    finally:
        stack.close()
    _clean_metadata(tmp_path, spec, spec.path.name, root=out_dir.parents[2])
    os.replace(tmp_path, out_dir / spec.path.name)
    if failed_path.exists():
        failed_path.unlink()
    with lock:
        fingerprints[spec.name] = job.fingerprint
        _write_fingerprints(out_dir, fingerprints)
        summary.executed.append(spec.name)


def _json_cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")).get("cells", [])


def _keep_failed(tmp_path: Path, failed_path: Path, spec: NotebookSpec) -> None:
    if tmp_path.is_file():
        failed_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            _clean_metadata(tmp_path, spec, f"failed/{spec.path.name}", root=failed_path.parents[4])
        except Exception:  # noqa: BLE001 - keep the notebook even if it cannot be re-read
            pass
        os.replace(tmp_path, failed_path)


def execute_wave(
    wave: str,
    *,
    compare_with: str | None = None,
    params: Mapping[str, object] | None = None,
    jobs: int | None = None,
    force: bool = False,
    root: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    progress: bool = True,
) -> RunSummary:
    """Run the notebooks of a wave and report what happened (see :func:`run_wave`).

    Raises
    ------
    UserError
        Bad parameters, an unknown or un-ingested wave, missing notebooks: before anything runs.
    """
    from analysis.paths import project_root

    check_jobs(jobs)
    plan = dict(
        compare_with=compare_with,
        params=params,
        force=force,
        root=root,
        notebooks_dir=notebooks_dir,
    )
    plan_wave(wave, **plan)  # every user error before the lock (and before anything runs)
    lock_root = Path(root).resolve() if root is not None else project_root()
    with wave_lock(wave, "run", root=lock_root):
        out_dir, planned = plan_wave(wave, **plan)  # again, now that no other run can write
        return _execute_planned(wave, out_dir, planned, jobs=jobs, progress=progress)


#: Seconds an interrupted run waits for its running notebooks to stop (their kernels are killed
#: at once; nbclient notices a dead kernel within a second).
STOP_TIMEOUT = 5.0


def _execute_planned(
    wave: str, out_dir: Path, planned: list[Job], *, jobs: int | None, progress: bool
) -> RunSummary:
    summary = RunSummary(wave, out_dir)
    summary.skipped = [j.spec.name for j in planned if j.up_to_date]
    todo = [j for j in planned if not j.up_to_date]
    if not todo:
        return summary
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from tqdm import tqdm

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / ".tmp").mkdir(exist_ok=True)
    fingerprints = _read_fingerprints(out_dir)
    lock = threading.Lock()
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook")
    futures: dict = {}
    try:
        with tqdm(
            total=len(todo),
            desc=f"{wave}",
            unit="notebook",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        ) as bar:
            bar.set_postfix_str(", ".join(j.spec.name for j in todo[:workers]))
            futures = {
                pool.submit(_execute, j, out_dir, summary, lock, fingerprints): j for j in todo
            }
            for fut in as_completed(futures):
                fut.result()
                bar.set_postfix_str(f"done {futures[fut].spec.name}")
                bar.update(1)
    except BaseException:  # Ctrl-C, SIGTERM (analysis.pipeline.faults.Terminated), a bug
        stop_notebooks(summary, pool, futures)
        raise
    finally:
        pool.shutdown(wait=not summary.stop.is_set())  # never hang on an interrupted notebook
        shutil.rmtree(out_dir / ".tmp", ignore_errors=True)
    order = [j.spec.name for j in planned]
    summary.executed.sort(key=order.index)
    summary.failed.sort(key=order.index)
    return summary


def stop_notebooks(summary: RunSummary, pool, futures, timeout: float = STOP_TIMEOUT) -> None:
    """Interrupt a run: start no new notebook, kill the running kernels, wait for the threads.

    Notebooks that finished before keep their outputs and fingerprints; interrupted ones leave
    nothing (their temporary output is removed) and are not counted as failed.
    """
    summary.stop.set()
    pool.shutdown(wait=False, cancel_futures=True)
    stop_futures(futures, timeout)


def run_wave(
    wave: str,
    *,
    compare_with: str | None = None,
    params: dict[str, str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    root: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
) -> int:
    """Execute the analysis notebooks 01–05 of a wave into ``reports/WAVE/notebooks/``.

    Parameters
    ----------
    wave : str
        An ingested wave (``data/processed/WAVE/``).
    compare_with : str, optional
        An earlier ingested wave, given to notebooks that declare ``compare_with``.
    params : dict of str to str, optional
        ``-p NAME=VALUE`` overrides, converted to each notebook's declared type.
    jobs : int, optional
        Notebooks at once (default: one per core).
    force : bool
        Execute even when nothing changed.
    root : path, optional
        Project root holding ``data/`` and ``reports/`` (default: :func:`analysis.paths.project_root`).
    notebooks_dir : path, optional
        Folder of the notebooks (default: ``ROOT/notebooks``, else the source tree's).

    Returns
    -------
    int
        0 when every notebook is up to date or ran; 1 when one failed (named on standard error).

    Raises
    ------
    UserError
        Before anything runs, for bad parameters or an un-ingested wave (the CLI exits 2).
    """
    summary = execute_wave(
        wave,
        compare_with=compare_with,
        params=params,
        jobs=jobs,
        force=force,
        root=root,
        notebooks_dir=notebooks_dir,
    )
    if summary.skipped and not summary.executed and not summary.failed:
        print(f"{wave}: all {len(summary.skipped)} notebooks up to date", file=sys.stderr)
    elif summary.skipped:
        print(f"{wave}: up to date: {', '.join(summary.skipped)}", file=sys.stderr)
    for msg in summary.messages:
        print(f"error: {msg}", file=sys.stderr)
    return summary.status
