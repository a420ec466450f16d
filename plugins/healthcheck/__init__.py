"""A health check for your user group."""
