"""Corpus layer: report files -> clean reports -> metadata, sections, passages -> store.

Nothing is imported here: ``import corpus.defaults`` (what the settings read) must not pay
for the pipeline. Import what you use from its module: ``corpus.pipeline.ingest``,
``corpus.store.CorpusStore``, ``corpus.vocab.LEVELS``, ``corpus.passages.ChunkParams``.
"""
