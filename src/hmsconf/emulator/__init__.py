"""The 100ms API emulator: a backend model (store) behind a thin HTTP layer (app)."""
