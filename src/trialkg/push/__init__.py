"""Push the store to a remote SPARQL 1.1 store, one named graph per trial.

``options`` (what is asked), ``planning`` (what to send: graphs, sizes, methods,
batches), ``transport`` (HTTP to the server: retries, auth, refusals), ``protocols``
(how a batch goes: Graph Store POST/PUT, SPARQL Update, staging and MOVE) and ``send``
(``push`` and ``verify``).

Why it is built this way (docs/loading.md has the user's view):

- **Idempotent.** Every graph is *replaced*, never appended to: pushing twice leaves
  exactly the same triples on the server, and pushing one trial touches only its graph.
- **Atomic per trial.** Each request the server runs as one transaction either
  replaces whole graphs or writes only into a private staging graph:
  * graphs the server does not have yet go in batched N-Quads ``POST``s to the Graph
    Store endpoint (one transaction per request; the server's own bulk path);
  * graphs it has are replaced by one SPARQL Update request per batch,
    ``DROP SILENT GRAPH <g>; ... INSERT DATA { GRAPH <g> {...} ... }``;
  * a graph larger than one request is loaded chunk by chunk into
    ``urn:trialkg:staging:<sha1>`` and then swapped in by one ``MOVE`` request;
  * ``mode="stage"`` PUTs every graph into its staging graph through the Graph Store
    and swaps a batch in with one request of ``MOVE``s (for servers whose INSERT DATA
    refuses some literals: Virtuoso and ``xsd:duration``).
  An interruption at any moment therefore leaves each trial graph old or new, never
  half. (Oxigraph 0.5 runs a Graph Store ``PUT`` as a clear and a load in two
  transactions, so ``PUT`` is only used when asked for with ``mode="put"``.)
- **Retried.** 5xx answers and connection errors are retried with exponential
  backoff; every request is safe to repeat (a repeated batch ``POST`` is re-sent as a
  replacing Update, so blank nodes are never doubled). A 4xx stops with the server's
  message.
- **Credentials stay secret.** They go into request headers only; no message, log
  line or ``repr`` contains them.
"""

from trialkg.push.options import DEFAULT_BATCH_SIZE, MODES, Credentials, PushOptions, redact
from trialkg.push.planning import (
    STAGING_PREFIX,
    GraphPlan,
    graphs_to_push,
    local_counts,
    plan,
    staging_graph,
)
from trialkg.push.send import GraphCount, PushSummary, push, verify
from trialkg.push.transport import RemoteStore, RequestTooLarge, TransientRemoteError

__all__ = [
    "DEFAULT_BATCH_SIZE", "MODES", "STAGING_PREFIX", "Credentials", "GraphCount", "GraphPlan", "PushOptions",
    "PushSummary", "RemoteStore", "RequestTooLarge", "TransientRemoteError", "graphs_to_push", "local_counts",
    "plan", "push", "redact", "staging_graph", "verify",
]
