"""Local and national resources a service can draw on."""
