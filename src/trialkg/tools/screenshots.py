"""Screenshots of the main pages of ``trialkg serve`` (for docs/img and the README).

Starts ``trialkg serve`` over a store on a free loopback port, opens each page in
headless Chromium (Debian's ``chromium``, a fresh profile, no network use besides the
loopback server), writes PNGs, stops the server by its PID.

Usage: ``python -m trialkg.tools.screenshots --store STORE -o docs/img``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
PATIENT = {"age_years": "45", "sex": "MALE", "ecog": "1", "conditions": "leiomyosarcoma",
           "therapies": "doxorubicin; 30; 18\nAnlotinib Hydrochloride; 6; 4",
           "labs": "neutrophils 2.5 10*9/L\nplatelets 210 10*9/L\nbilirubin 0.6 x ULN",
           "flags": "cns_metastases: no\nmeasurable_disease: yes"}
PAGES = [  # (file, path, window height)
    ("serve-trial.png", "/trial/NCT04126811", 2200),
    ("serve-search.png", "/search?q=rivoceranib", 900),
    ("serve-target.png", "/target/KDR", 1900),
    ("serve-match.png", "/match?" + urllib.parse.urlencode(PATIENT), 1300),
    ("serve-overview.png", "/", 1100),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("-o", "--output", default="docs/img")
    ap.add_argument("--width", type=int, default=1280)
    args = ap.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    port = _free_port()
    exe = shutil.which("trialkg")
    cmd = [exe] if exe else [sys.executable, "-c", "from trialkg.cli import main; main()"]
    proc = subprocess.Popen([*cmd, "serve", "--store", args.store, "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                json.loads(urllib.request.urlopen(url + "/?format=json", timeout=5).read())
                break
            except OSError:
                time.sleep(0.2)
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        for name, path, height in PAGES:
            with tempfile.TemporaryDirectory(prefix="trialkg-chromium-") as profile:
                subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=6000",
                                f"--window-size={args.width},{height}", f"--screenshot={out / name}", url + path],
                               check=True, capture_output=True, timeout=120)
            print(out / name)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
