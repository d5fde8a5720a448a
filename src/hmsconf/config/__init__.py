"""The files: YAML loaded with positions, checked against the rules, resolved per workspace into the desired workspace."""
