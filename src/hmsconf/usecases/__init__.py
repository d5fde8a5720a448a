"""The use cases under the CLI: each runs the pipeline end to end for one command and returns values.

A command parses its options, calls one use case, hands the value it returns
to a renderer and picks the exit code; nothing here prints, prompts or exits
(a confirmation is the command's, between two steps of a use case).
"""
