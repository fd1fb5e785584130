"""Helpers the tests share: photographs, API calls, the database, fakes and servers.

Test modules import from here (and get fixtures from conftest.py), never from one another.
"""
