"""Generate ``ontology/context.jsonld`` (the JSON-LD ``@context``) from ``ontology/trialkg.ttl``.

Usage: ``python -m trialkg.tools.gen_context > ontology/context.jsonld``
"""

from __future__ import annotations

import json

from trialkg.jsonld import build_context


def main() -> None:
    print(json.dumps({"@context": build_context()}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
