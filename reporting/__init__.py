"""The living documentation: a behave formatter that writes one HTML page a product owner can read."""
