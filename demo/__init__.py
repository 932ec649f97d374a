"""The demo corpus shipped with jiejian (content in reports_*.py, rendered by build_demo.py)."""
