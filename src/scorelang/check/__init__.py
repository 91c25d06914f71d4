"""The front end's second stage: plan model -> diagnostics (the checks, the code catalogue),
and the cache of checked plans that lets repeated runs skip parsing.

Imports nothing here: `scorelang check` on a warm cache loads `check.cache` alone.
"""
