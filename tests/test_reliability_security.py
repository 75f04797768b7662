"""Security: bound query parameters, secret credentials, verified certificates, no shell.

Every stored query that takes a parameter is attacked through the CLI's entry point
(run in the test process: tests/cli_support.py), on the embedded store (pyoxigraph
substitutions) and on a real Oxigraph server (the VALUES block sent to remote
endpoints): a hostile value is data, it returns what an unknown name returns and
changes nothing. Credentials given on the command line or in a URL
never appear in output, logs (``-v``) or error lines. HTTPS endpoints with a
certificate nobody signed are refused before any request is sent.
"""

from __future__ import annotations

import datetime
import http.server
import json
import re
import shutil
import ssl
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import run as in_process

from trialkg import queries as q

ROOT = Path(__file__).resolve().parents[1]
TRIALKG = shutil.which("trialkg") or "trialkg"
HOSTILE = [
    'KDR" } ; DROP ALL ; #',
    "KDR' } } INSERT DATA { <urn:x> <urn:y> <urn:z> } #",
    'x" ) } UNION { ?s ?p ?o } #',
    '\\u0022 } ; CLEAR DEFAULT ; #',
    "\n} ;\nDELETE WHERE { ?s ?p ?o }\n#",
]
UNKNOWN = "no-such-name-zz"
TYPED_SAMPLE = {"integer": "1", "decimal": "45", "iri": "https://w3id.org/trialkg/resource/drug/apatinib"}
PASSWORD = "S3cr3t-pa55-h9"


def trialkg(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return together([(list(args), env)], timeout=timeout)[0]


def together(runs: list[tuple[list[str], dict[str, str] | None]],
             timeout: float = 300) -> list[subprocess.CompletedProcess[str]]:
    """Each ``trialkg ARGS`` with ``ENV`` added, all started at once (each waits on its
    own retries and time-outs), in the order given."""
    import os

    procs = [subprocess.Popen([TRIALKG, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, **(env or {})}) for args, env in runs]
    done = []
    for (args, _env), proc in zip(runs, procs, strict=True):
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise
        done.append(subprocess.CompletedProcess([TRIALKG, *args], proc.returncode, out, err))
    return done


# -- no shell, no eval, no disabled certificate checks in the code ---------------------

FORBIDDEN = {
    r"shell\s*=\s*True": "a shell runs strings",
    r"os\.system\(|os\.popen\(": "a shell runs strings",
    r"(?<![\w.])eval\(|(?<![\w.])exec\(": "eval/exec run input as code",
    r"pickle\.loads?\(|marshal\.loads?\(": "unpickling runs code",
    r"yaml\.load\((?![^)]*SafeLoader)": "yaml.load without SafeLoader runs code",
    r"verify\s*=\s*False": "TLS certificates must be verified",
    r"_create_unverified_context|CERT_NONE|check_hostname\s*=\s*False": "TLS certificates must be verified",
    r"resolve_entities\s*=\s*True|XMLParser\(": "XML must go through defusedxml",
}


def test_source_has_no_shell_eval_or_unverified_tls() -> None:
    hits = []
    for path in sorted((ROOT / "src" / "trialkg").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            for pattern, why in FORBIDDEN.items():
                if re.search(pattern, code):
                    hits.append(f"{path.relative_to(ROOT)}:{n}: {why}: {line.strip()}")
    assert hits == []


# -- every stored query: injection through the CLI, locally and on a real server --------

PARAM_QUERIES = [s.name for s in q.stored_queries() if s.params]


def _args(query: q.StoredQuery, hostile: str | None) -> list[str]:
    out: list[str] = []
    for p in query.params:
        if p.type == "string":
            out += ["-p", p.name, hostile if hostile is not None else UNKNOWN]
        elif p.required:
            out += ["-p", p.name, TYPED_SAMPLE[p.type]]
    return out


def _rows(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _outcome(proc: subprocess.CompletedProcess[str]) -> list[dict] | str:
    """The rows, or "refused" for a name the store does not know (a drug, class, target
    or family parameter resolved against the store: exit 2, one line, no traceback)."""
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 2 and proc.stderr.startswith("trialkg: error: ") and "unknown" in proc.stderr:
        return "refused"
    return _rows(proc)


@pytest.fixture(scope="module")
def loaded_server(seed_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server holding the seed store (loaded by plain N-Quads POST)."""
    from conftest import start_oxigraph, stop_by_pid

    tmp = tmp_path_factory.mktemp("oxi-injection")
    proc, server = start_oxigraph(tmp / "db")
    try:
        nq = tmp / "seeds.nq"
        assert trialkg("export", "--store", str(seed_store), "--format", "nquads", "-o", str(nq)).returncode == 0
        req = urllib.request.Request(server.store_endpoint, data=nq.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/n-quads"})
        with urllib.request.urlopen(req, timeout=60):
            pass
        yield server.url
    finally:
        stop_by_pid(server.pid, proc)


def _server_size(url: str) -> int:
    body = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}).encode()
    req = urllib.request.Request(url + "/query", data=body, headers={
        "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.integration
@pytest.mark.parametrize("name", PARAM_QUERIES)
def test_stored_query_parameters_are_bound_not_pasted(name: str, seed_store: Path, loaded_server: str) -> None:
    query = q.get_stored_query(name)
    store = ["--store", str(seed_store)]
    remote = ["--endpoint", loaded_server + "/query"]
    before = _server_size(loaded_server)
    local_unknown = _outcome(in_process("query", name, *_args(query, None), *store, "--format", "json"))
    remote_unknown = _outcome(in_process("query", name, *_args(query, None), *remote, "--format", "json"))
    if local_unknown != "refused":
        assert local_unknown == remote_unknown
    if any(p.type == "string" for p in query.params):
        for hostile in HOSTILE:  # the hostile text does what an unknown name does, nothing more
            local = _outcome(in_process("query", name, *_args(query, hostile), *store, "--format", "json"))
            far = _outcome(in_process("query", name, *_args(query, hostile), *remote, "--format", "json"))
            assert local == local_unknown and far == remote_unknown, hostile
    for p in query.params:  # typed parameters refuse the hostile text outright (exit 2)
        if p.type != "string":
            args = [a for a in _args(query, None)]
            i = args.index(p.name) + 1
            args[i] = HOSTILE[0]
            proc = in_process("query", name, *args, *store)
            assert proc.returncode == 2 and "expected" in proc.stderr and "Traceback" not in proc.stderr
    assert _server_size(loaded_server) == before


# -- credentials -----------------------------------------------------------------------


def _secret_free(proc: subprocess.CompletedProcess[str]) -> None:
    import base64

    blob = proc.stdout + proc.stderr
    assert PASSWORD not in blob
    assert base64.b64encode(f"bob:{PASSWORD}".encode()).decode() not in blob


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    """A hostile server: answers 500 with every request header echoed in the body."""

    seen: list[str] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        type(self).seen.append(self.path)
        body = ("server error; you sent: " + " | ".join(f"{k}: {v}" for k, v in self.headers.items())).encode()
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def echo_server() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def _dead_port() -> int:
    from conftest import free_port

    return free_port()


@pytest.mark.parametrize("where", ["dead", "echo"])
def test_credentials_never_printed_or_logged(where: str, seed_store: Path, echo_server: str) -> None:
    base = echo_server if where == "echo" else f"http://127.0.0.1:{_dead_port()}"
    commands = [
        (["query", "trials-by-target", "-p", "target", "KDR", "--endpoint", base + "/query",
          "--user", "bob", "--password", PASSWORD, "--timeout", "5"], {}),
        (["query", "trials-by-target", "-p", "target", "KDR", "--timeout", "5",
          "--endpoint", base.replace("http://", f"http://bob:{PASSWORD}@") + "/query"], {}),
        (["query", "trials-by-target", "-p", "target", "KDR", "--endpoint", base + "/query",
          "--user", "bob", "--timeout", "5"], {"TRIALKG_SPARQL_PASSWORD": PASSWORD}),
        # two attempts: the retry path runs, without five rounds of back-off
        (["push", "--store", str(seed_store), "--endpoint", base + "/query", "--user", "bob",
          "--password", PASSWORD, "--trial", "NCT03890068", "--retries", "2"], {}),
        (["push", "--store", str(seed_store), "--endpoint", base + "/query", "--user", "bob",
          "--trial", "NCT03890068", "--retries", "2"], {"TRIALKG_PASSWORD": PASSWORD}),
    ]
    runs = together([(args, env) for args, env in commands] + [(["-v", *args], env) for args, env in commands])
    for plain in runs[:len(commands)]:  # one error line, exit 2
        assert plain.returncode == 2 and "Traceback" not in plain.stderr, plain.stderr
        _secret_free(plain)
    for verbose in runs[len(commands):]:  # debug logs and the traceback: still no secret
        assert verbose.returncode != 0
        _secret_free(verbose)


@pytest.mark.integration
def test_credentials_not_printed_on_success(seed_store: Path, oxigraph_server) -> None:
    proc = trialkg("-v", "push", "--store", str(seed_store), "--endpoint", oxigraph_server.query_endpoint,
                   "--user", "bob", "--password", PASSWORD, "--trial", "NCT03890068")
    _secret_free(proc)
    proc = trialkg("-v", "query", "trials-by-target", "-p", "target", "KDR", "--format", "json",
                   "--endpoint", oxigraph_server.query_endpoint, "--user", "bob", "--password", PASSWORD)
    assert proc.returncode == 0, proc.stderr
    _secret_free(proc)


# -- HTTPS: certificates are verified by default ------------------------------------------


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture()
def https_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate, counting requests."""
    _EchoHandler.seen = []
    cert, key = _self_signed(tmp_path)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"https://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def test_https_certificates_are_verified_by_default(https_server: str, seed_store: Path, tmp_path: Path) -> None:
    commands = {
        "query": ["query", "trials-by-target", "-p", "target", "KDR", "--endpoint", https_server + "/query",
                  "--timeout", "10"],
        # two attempts: the retry path runs, without five rounds of back-off
        "push": ["push", "--store", str(seed_store), "--endpoint", https_server + "/query", "--trial", "NCT03890068",
                 "--retries", "2"],
        "fetch": ["fetch", "--base-url", https_server + "/api/v2", "--nct", "NCT03890068",
                  "-o", str(tmp_path / "fetched")],
    }
    runs = dict(zip(commands, together([(args, None) for args in commands.values()]), strict=True))
    for command, proc in runs.items():
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        if command != "push":  # push reports it as "cannot connect ... (URLError)" after its retries
            assert re.search(r"certificate|CERTIFICATE|SSL", proc.stderr), (command, proc.stderr)
    assert _EchoHandler.seen == []  # the handshake failed: no request ever reached the server
