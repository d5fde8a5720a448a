"""Values -> what a person or a machine reads: every format lives here, never in the use cases."""
