"""Pure rules: credits, licences, captions, audit checks, presets, geometry, text.

Values in, values out: nothing here imports Flask, SQLAlchemy, Pillow or does I/O.
"""
