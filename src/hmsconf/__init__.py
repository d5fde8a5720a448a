"""hmsconf: 100ms templates, rooms and webhooks as code."""

__version__ = "0.1.0"
