"""Business rules: plain typed functions that take a database session. The only place rules live."""
