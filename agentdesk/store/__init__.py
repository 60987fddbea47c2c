"""The store: SQLModel tables, engine set-up per backend, migrations and the atomic
statements the services build on. Import :class:`Store` from ``agentdesk.store.db``."""
