"""``trialkg fetch``: download ClinicalTrials.gov API v2 records into a directory."""

from __future__ import annotations

import sys

import click

from trialkg.cli.output import is_quiet, log


@click.command(name="fetch")
@click.option("--query", "query", metavar="TERM", help="Free-text search (query.term).")
@click.option("--cond", metavar="TEXT", help="Condition or disease (query.cond).")
@click.option("--intr", metavar="TEXT", help="Intervention or treatment (query.intr).")
@click.option("--filter-overall-status", "statuses", multiple=True, metavar="STATUS",
              help="Overall status, e.g. RECRUITING (repeatable; filter.overallStatus).")
@click.option("--nct", "nct_ids", multiple=True, metavar="ID",
              help="One study by NCT id (repeatable); with a query or filter, restricts the search (filter.ids).")
@click.option("--page-size", type=int, default=100, show_default=True, help="Studies per page (at most 1000).")
@click.option("--max-studies", type=int, default=None, help="Stop after this many studies.")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for the raw pages (re-run with the same DIR to resume).")
@click.option("--base-url", default="https://clinicaltrials.gov", show_default=True, help="API server.")
@click.option("--rate", type=float, default=2.0, show_default=True, help="Requests per second at most.")
@click.option("--retries", type=int, default=5, show_default=True, help="Attempts per request on 429, 5xx and connection errors.")
def fetch(query: str | None, cond: str | None, intr: str | None, statuses: tuple[str, ...], nct_ids: tuple[str, ...],
          page_size: int, max_studies: int | None, out_dir: str, base_url: str, rate: float, retries: int) -> None:
    """Download ClinicalTrials.gov API v2 search pages (or single studies with --nct)
    into DIR, one raw JSON file per page, ready for 'trialkg build DIR'.

    An interrupted download resumes where it stopped when run again with the same
    options and DIR; pages already saved are not fetched again.

    \b
    Example:
      trialkg fetch --cond sarcoma --intr anlotinib --filter-overall-status RECRUITING -o pages/
      trialkg build pages/

    Exit codes: 0 done; 1 some --nct ids were not found; 2 error.
    """
    from tqdm import tqdm

    from trialkg.sources.fetch import FetchOptions
    from trialkg.sources.fetch import fetch as run_fetch

    options = FetchOptions(out_dir=out_dir, query=query, cond=cond, intr=intr, overall_status=statuses,
                           nct_ids=nct_ids, page_size=page_size, max_studies=max_studies, base_url=base_url,
                           rate=rate, retries=retries)
    with tqdm(unit="studies", file=sys.stderr, disable=is_quiet(), desc="fetch") as bar:
        def progress(done: int, total: int | None) -> None:
            if total is not None and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        summary = run_fetch(options, progress=progress)
    total = f" of {summary.total_count}" if summary.total_count is not None else ""
    log(f"fetched {summary.pages_fetched} files ({summary.studies_fetched} studies), {summary.pages_cached} already "
        f"cached; {summary.studies}{total} studies in {summary.directory} ({summary.seconds:.1f} s)")
    if summary.missing:
        log(f"not found: {', '.join(summary.missing)}")
        sys.exit(1)
