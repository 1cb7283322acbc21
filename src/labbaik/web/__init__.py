"""The pages' shared parts: layout, languages, static files and helpers."""
