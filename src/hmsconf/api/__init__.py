"""The 100ms API: which workspace and how to reach it, the client, and reading the live workspace."""
