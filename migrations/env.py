"""Alembic environment: the URL comes from the caller or Vitrine's configuration."""

from alembic import context

from service import config as vitrine_config
from service.storage import models  # noqa: F401  (registers the tables on Base.metadata)
from service.storage.db import Base, made_on, make_engine

url = context.config.attributes.get("database_url") or vitrine_config.load()["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            include_object=made_on(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
