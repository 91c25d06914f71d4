"""The OIV's tools, built on the engine and the API: explain, verify, what-if, rule tests.

Each reads a Result (or re-scores a plan through the API); none has scoring rules of its own.
"""
