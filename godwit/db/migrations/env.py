from alembic import context

from godwit.db import models

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=models.Base.metadata,
                  render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
