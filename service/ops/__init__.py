"""Operations: background jobs, metrics, logs, throttling and probes.

May import services and everything below them; never the edges (api, web, cli).
"""
