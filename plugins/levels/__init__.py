"""What are you aiming for? Levels of involvement, and the grid of achievements."""
