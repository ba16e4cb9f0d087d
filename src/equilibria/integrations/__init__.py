"""Bridges to other ecosystems. Each submodule imports its optional dependency itself."""
