"""chime-tui: a terminal dashboard for Amazon Chime SDK Voice Connector proxy sessions."""

__version__ = "0.1.0"
