"""The front end's first stage: rule text -> plan model (grammar, parser, builder, formatter).

Knows the grammar and Lark; knows nothing of checking or scoring. Imports nothing here, so that
importing a sibling layer's module does not load Lark.
"""
