"""Small widgets, one per panel. None of them talks to AWS."""
