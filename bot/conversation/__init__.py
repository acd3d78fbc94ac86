"""Channel-independent conversation helpers used by actions (plain, testable functions)."""
