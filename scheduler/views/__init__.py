"""Summaries shared by the CLI and the dashboard (overview, plan summary, demo plan)."""
