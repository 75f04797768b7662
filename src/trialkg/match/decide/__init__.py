"""Decisions by constraint type: one module per family, listed in ``registry.DECISIONS``."""
