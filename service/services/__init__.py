"""Services: one module per use case (upload, publish, audit, render, purge ...).

They take a database session and a blob store (or the app's ``Services``, built once:
``context``), never commit or roll back the session they are given (its owner does: the
request, the task, the command), and never import Flask. The few that must make a write
visible at once (a render claim, an upload's row beside its blob, a purge) do it in short
transactions of their own (``storage.db.factory_of``).
May import rules, media and storage.
"""
