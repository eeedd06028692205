"""Pure checks: plain data in, a list of problems (in a product owner's words) out; empty when all is well."""
