"""Chapter 11 (stub)."""
