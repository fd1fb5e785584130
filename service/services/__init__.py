"""Services: one module per use case (upload, publish, audit, render, purge ...).

They take a database session and a blob store, never commit, and never import Flask.
May import rules, media and storage.
"""
