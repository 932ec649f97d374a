"""Corpus layer: files -> clean reports -> metadata, sections, passages -> store."""
