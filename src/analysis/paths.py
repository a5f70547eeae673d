"""Where the project keeps raw data, processed data and reports.

The project root is the folder holding ``pyproject.toml`` above the current directory, or the
folder named by the environment variable ``ANALYSIS_ROOT`` (tests set it to a temporary folder).

Layout (cookiecutter-data-science): ``data/raw/<wave>/`` holds the export exactly as delivered
(read-only) and its ``manifest.json``; ``data/processed/<wave>/`` what ingest derives;
``reports/<wave>/`` the executed notebooks and the findings report.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_WAVE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def project_root() -> Path:
    env = os.environ.get("ANALYSIS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "src" / "analysis").is_dir():
            return folder
    return here


def check_wave(wave: str) -> str:
    """Validate a wave name (letters, digits, ``.``, ``_``, ``-``), e.g. ``demo-2022``."""
    from analysis.errors import UserError

    if not isinstance(wave, str) or not _WAVE_RE.match(wave):
        raise UserError(
            f"invalid wave name {wave!r}: use letters, digits, '.', '_' or '-' (e.g. 2024)"
        )
    return wave


def raw_dir(wave: str, root: Path | None = None) -> Path:
    return (root or project_root()) / "data" / "raw" / check_wave(wave)


def processed_dir(wave: str, root: Path | None = None) -> Path:
    return (root or project_root()) / "data" / "processed" / check_wave(wave)


def reports_dir(wave: str, root: Path | None = None) -> Path:
    return (root or project_root()) / "reports" / check_wave(wave)


def notebooks_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "notebooks"
