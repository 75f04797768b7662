"""The ``trialkg`` command line: one click group, one module per command.

Commands are imported lazily (only the one being run), so ``trialkg --help`` stays
instant. Exit codes: 0 ok; 1 ran but found problems (records rejected, graph does not
conform, patient matches nothing); 2 bad usage, bad input or runtime error.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from trialkg import __version__

# name -> "module:function" (module relative to trialkg.cli), with the one-line help.
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("parse_cmd:parse", "Read records and print them; touches no store."),
    "fetch": ("fetch_cmd:fetch", "Download ClinicalTrials.gov API v2 pages (paging, resume, cache)."),
    "build": ("build_cmd:build", "Read, normalise, parse criteria, map and write the store."),
    "list": ("views_cmd:list_trials", "One row per trial in the store."),
    "show": ("views_cmd:show", "One trial: the trial view."),
    "stats": ("views_cmd:stats", "Counts by class and source; normalisation and criteria coverage."),
    "validate": ("validate_cmd:validate", "Validate the store with the SHACL shapes."),
    "export": ("export_cmd:export", "Export the whole graph as RDF."),
    "queries": ("query_cmd:queries", "List the stored SPARQL queries."),
    "query": ("query_cmd:query", "Run a stored query (or an .rq file) locally or remotely."),
    "push": ("push_cmd:push", "Send the graph to a SPARQL 1.1 store, one named graph per trial."),
    "viz": ("viz_cmd:viz", "Draw the graph (png, svg, html, graphml, gexf)."),
    "analyze": ("viz_cmd:analyze", "Graph analytics: target centrality, similarity, communities."),
    "match": ("match_cmd:match", "Trials a patient could enter, with reasons."),
    "criteria": ("criteria_cmd:criteria", "Parse a pasted eligibility-criteria block."),
    "enrich": ("enrich_cmd:enrich", "Fill missing drug or target facts from a public SPARQL endpoint."),
    "serve": ("serve_cmd:serve", "Browse, search and match in a local web app; a SPARQL 1.1 endpoint."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when run (or when their help is asked)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, short_help = COMMANDS[cmd_name]
        module_name, func_name = target.split(":")
        try:
            module = importlib.import_module(f"trialkg.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"trialkg.cli.{module_name}":
                raise
            return _not_yet(cmd_name, short_help)
        return getattr(module, func_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the table's short help so listing commands imports none of them.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _not_yet(name: str, short_help: str) -> click.Command:
    @click.command(name=name, help=short_help + " (not available in this build)")
    def _cmd() -> None:
        raise click.UsageError(f"'{name}' is not available in this build")

    return _cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trialkg")
@click.option("-v", "--verbose", is_flag=True, help="Show debug logs and full tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Silence progress bars and logs on stderr.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """trialkg: clinical-trial records to a validated, queryable knowledge graph.

    \b
    Exit codes: 0 ok; 1 ran but found problems (records rejected, graph does not
    conform, patient matches nothing); 2 bad usage, bad input or runtime error.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["quiet"] = quiet
    level = logging.DEBUG if verbose else (logging.ERROR if quiet else logging.WARNING)
    logging.basicConfig(level=level, format="trialkg: %(levelname)s: %(message)s", stream=sys.stderr)
    # Libraries' warnings (SPARQLWrapper, rdflib) go to the log, shown only with --verbose:
    # trialkg reports the error itself, one line.
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.DEBUG if verbose else logging.CRITICAL)


SECRET_OPTIONS = ("--password", "--token")
SECRET_ENV = ("TRIALKG_PASSWORD", "TRIALKG_TOKEN", "TRIALKG_SPARQL_PASSWORD")
USER_OPTIONS = ("--user",)
USER_ENV = ("TRIALKG_USER", "TRIALKG_SPARQL_USER")


def secret_forms(argv: list[str], environ: dict[str, str]) -> list[str]:
    """Every spelling of the credentials this run was given (raw, URL-quoted, HTTP basic).

    A server may echo the request headers in an error body, and a traceback (``-v``)
    shows a chained exception's text: scrubbing the output streams catches them all.
    """
    import base64
    import urllib.parse

    secrets: list[str] = [environ[k] for k in SECRET_ENV if environ.get(k)]
    users: list[str] = [environ[k] for k in USER_ENV if environ.get(k)]
    for i, arg in enumerate(argv):
        for opts, into in ((SECRET_OPTIONS, secrets), (USER_OPTIONS, users)):
            for opt in opts:
                if arg == opt and i + 1 < len(argv):
                    into.append(argv[i + 1])
                elif arg.startswith(opt + "="):
                    into.append(arg[len(opt) + 1:])
        if "://" in arg and "@" in arg:
            parts = urllib.parse.urlsplit(arg)
            if parts.password:
                secrets.append(parts.password)
                users.append(parts.username or "")
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) < 3:  # too short to scrub without mangling ordinary text
            continue
        forms.update({secret, urllib.parse.quote(secret, safe="")})
        for user in users or [""]:
            forms.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return sorted(forms, key=len, reverse=True)


class _Scrubbed:
    """A text stream that writes ``***`` in place of any secret."""

    def __init__(self, stream: object, forms: list[str]) -> None:
        self._stream = stream
        self._forms = forms

    def write(self, text: str) -> int:
        for form in self._forms:
            text = text.replace(form, "***")
        http = sys.modules.get("trialkg.http")  # secrets met later: typed at a prompt, in a URL
        if http is not None:
            text = http.scrub(text)  # type: ignore[attr-defined]
        return self._stream.write(text)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def main() -> None:
    """Entry point: turn trialkg's own errors into one line on stderr and exit 2."""
    import os
    import traceback

    from trialkg.errors import TrialKGError, printable

    forms = secret_forms(sys.argv[1:], dict(os.environ))
    # Credentials never reach the terminal or a log, whatever echoes them.
    sys.stdout = _Scrubbed(sys.stdout, forms)  # type: ignore[assignment]
    sys.stderr = _Scrubbed(sys.stderr, forms)  # type: ignore[assignment]
    verbose = "-v" in sys.argv[1:] or "--verbose" in sys.argv[1:]
    try:
        rv = cli.main(standalone_mode=False)
        # Without standalone mode click returns ctx.exit(n)'s code instead of exiting.
        if isinstance(rv, int) and not isinstance(rv, bool) and rv:
            sys.exit(rv)
    except click.exceptions.Abort:
        click.echo("trialkg: aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except TrialKGError as exc:
        if verbose:  # the traceback, then the same line and exit code as without -v
            traceback.print_exc()
        click.echo(f"trialkg: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("trialkg: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # an unexpected bug: one line unless --verbose
        if verbose:
            traceback.print_exc()
        click.echo(printable(f"trialkg: internal error: {type(exc).__name__}: {exc}"
                             f"{'' if verbose else ' (run with --verbose for details)'}"), err=True)
        sys.exit(2)
