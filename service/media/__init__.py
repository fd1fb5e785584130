"""Media: reading, identifying and rendering pictures and their metadata (Pillow).

May import ``service.rules``; never storage, services or the edges.
"""
