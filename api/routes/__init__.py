"""HTTP routes: thin wrappers that call the retrieval service."""
