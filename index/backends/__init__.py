"""Index backends: one interface (base.IndexBackend), the embedded reference (local) and
Milvus, chosen by ``JIEJIAN_INDEX_BACKEND``; sync fills Milvus from the store."""
