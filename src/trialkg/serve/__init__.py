"""``trialkg serve``: a local explorer and SPARQL 1.1 endpoint over the embedded store.

- ``app.py``: the Starlette application (routes, templates, static files) and ``run``;
- ``sparql.py``: the SPARQL 1.1 Protocol endpoint (worker processes, time limit);
- ``catalogue.py``: what the pages show about drugs, targets, families, the overview;
- ``search.py``: the in-memory search index built when the server starts;
- ``criteria.py``: criterion text split into highlighted constraint spans and readings;
- ``neighbourhood.py``: bounded, aggregated neighbourhood graphs for the pages;
- ``pages.py``: the page handlers.

The store is opened read-only (many readers at once, no writer): rebuild the store and
restart the server to see new trials.
"""
