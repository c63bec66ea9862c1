"""tracker: action plans, their measures, statuses with reasons, completion reports."""

__version__ = "0.1.0"
