"""Markdown helpers shared by the plan, diff and validate summaries."""

from __future__ import annotations

TRUNCATION_NOTE = "\n\n_… output truncated to fit the size limit; see the job log for the rest._\n"


def truncate_markdown(text: str, limit: int, note: str = TRUNCATION_NOTE) -> str:
    """Cut ``text`` so that it, plus ``note``, fits in ``limit`` UTF-8 bytes, at a line break."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len(note.encode("utf-8"))
    cut = text.encode("utf-8")[: max(budget, 0)].decode("utf-8", "ignore")
    if "\n" in cut:
        cut = cut[: cut.rfind("\n")]
    if cut.count("```") % 2:  # never leave a code fence open
        cut += "\n```"
    return cut + note
