"""The guide's sections, each a Changing Lives plugin."""
