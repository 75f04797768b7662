"""Developer tools (code generators); not used at run time."""
