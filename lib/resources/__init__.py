"""What the suite creates for its test clients, and removes again: only what carries its prefix and run tag."""
