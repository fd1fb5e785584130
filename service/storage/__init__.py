"""Storage: the database (engine, models), the blob stores (local, S3) and the upload spool.

May import ``service.rules``; never media, services or the edges.
"""
