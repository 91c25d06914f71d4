"""The evaluator: the scoring rules, the compiler that picks each node's rule, the scalar and
batch evaluators, the Result, values, display rounding, and the Plan an embedder holds.

Imports nothing here: each module is loaded by the stage that needs it.
"""
