"""The 100ms API emulator, split like moto: a backend model (store, over SQLite tables) raising
typed errors (exceptions), answers shaped by views, a route table, and ASGI middleware (app composes them)."""
