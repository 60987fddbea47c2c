"""agentdesk: a keyboard-driven terminal console for customer-service teams."""

__version__ = "0.1.0"
