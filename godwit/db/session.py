"""Engine and sessions.

``reader()`` is for queries; ``writer()`` wraps one transaction. On SQLite a writer starts
with ``BEGIN IMMEDIATE`` so that two threads upgrading read locks to write locks cannot
deadlock (SQLite would fail one of them at once instead of waiting), and the writers of
one process queue on a lock here: SQLite's own busy handler sleeps in steps of up to
100 ms, which under load costs far more than the writes themselves.
"""
import contextlib
import os
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from godwit.conf import CONF

_lock = threading.Lock()
_sqlite_writer_lock = threading.Lock()
_engine = None


def database_url():
    if CONF.database.connection:
        return CONF.database.connection
    path = os.path.abspath(os.path.join(CONF.data_dir, "godwit.sqlite"))
    return f"sqlite:///{path}"


def _make_engine(url):
    if url.startswith("sqlite"):
        # Every connection stays open: opening one in WAL mode costs more than keeping it.
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": CONF.database.busy_timeout},
                               pool_size=CONF.database.max_pool_size
                               + CONF.database.max_overflow, max_overflow=0)
        _use_explicit_sqlite_transactions(engine)
        return engine
    return create_engine(url, pool_size=CONF.database.max_pool_size,
                         max_overflow=CONF.database.max_overflow, pool_pre_ping=True)


def _use_explicit_sqlite_transactions(engine):
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Readers run each statement in its own implicit transaction (WAL gives each a
        # consistent snapshot); only writers need an explicit one.
        if conn.get_execution_options().get("godwit_write", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine():
    global _engine
    with _lock:
        if _engine is None:
            url = database_url()
            if url.startswith("sqlite:///") and not CONF.database.connection:
                os.makedirs(os.path.dirname(url[len("sqlite:///"):]), exist_ok=True)
            _engine = _make_engine(url)
        return _engine


def dispose():
    """Forget the engine (tests and ``db sync`` use this after changing the URL)."""
    global _engine
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None


@contextlib.contextmanager
def reader():
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


@contextlib.contextmanager
def writer():
    """One write transaction. The connection is taken before the SQLite writer lock, so a
    writer never holds the lock while it waits for the pool."""
    engine = get_engine()
    serial = _sqlite_writer_lock if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with engine.connect() as connection, serial:
        with Session(connection.execution_options(godwit_write=True),
                     expire_on_commit=False) as session:
            with session.begin():
                yield session
