"""Run ``trialkg`` through its entry point (``trialkg.cli.main``) inside the test process.

Same argument parsing, commands, error lines and exit codes as the installed script,
without starting an interpreter and importing the pipeline again for every command.
Tests that need a process of their own (signals, ``-v`` logs, secrets in logs, memory
of the process tree) start the script instead.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``trialkg ARGS`` in ``cwd`` with ``env`` added: exit code, stdout and stderr."""
    from trialkg.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    out_text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    err_text = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    loggers = {name: logging.getLogger(name).level for name in ("", "py.warnings", "urllib3")}
    patch = pytest.MonkeyPatch()
    try:
        patch.setattr(sys, "argv", ["trialkg", *args])
        patch.setattr(sys, "stdout", out_text)
        patch.setattr(sys, "stderr", err_text)
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        if cwd is not None:
            patch.chdir(cwd)
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out_text.flush()
        err_text.flush()
    finally:
        patch.undo()
        logging.captureWarnings(False)
        for name, level in loggers.items():
            logging.getLogger(name).setLevel(level)
    return subprocess.CompletedProcess(["trialkg", *args], code, out.getvalue().decode("utf-8"),
                                       err.getvalue().decode("utf-8"))
