"""Getting there: the seven user-generated indicators, shared, agreed and reviewed."""
