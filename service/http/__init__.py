"""HTTP edge: errors, the request class, the request's session and unit of work, guards.

May import ops, services, media, storage, rules and config; never api, web or cli.
"""
