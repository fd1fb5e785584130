"""Media: reading, identifying and rendering pictures and their metadata (Pillow).

May import ``service.rules``; never storage, services or the edges.
"""

from PIL import Image

# Pillow's decompression-bomb guard is one number for the whole process, and it would refuse
# pictures that VITRINE_MAX_PIXELS admits (a 300 MP scan) or let apps in one process undo each
# other's setting. The media code checks the caller's own limit from every header before any
# pixel is decoded (imaging.identify, render's decode), so the guard is set here, once, by the
# layer that owns Pillow, and never by an app.
Image.MAX_IMAGE_PIXELS = None
