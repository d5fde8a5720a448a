"""From desired and live to a plan, and from a plan to requests: normalise, compare, plan, apply, export."""
