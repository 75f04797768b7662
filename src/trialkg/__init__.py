"""trialkg: clinical-trial records to a validated, queryable RDF knowledge graph."""

__version__ = "0.1.0"
