"""Chat adapters: each translates between one platform and the core; none holds business logic."""
